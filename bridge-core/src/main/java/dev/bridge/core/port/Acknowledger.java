package dev.bridge.core.port;

import dev.bridge.core.Change;

/** How a {@link ChangeSink} reports the fate of each change it was given. Thread-safe. */
@FunctionalInterface
public interface Acknowledger {

    /**
     * Reports one change's outcome. Each change of a batch is acknowledged exactly once; further
     * acknowledgements of the same change are ignored. The change may be the instance given or an
     * equal one; a change that was not in the batch is ignored.
     */
    void ack(Change change, Ack ack);
}
