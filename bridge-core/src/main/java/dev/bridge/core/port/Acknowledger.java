package dev.bridge.core.port;

import dev.bridge.core.Change;

/** How a {@link ChangeSink} reports the fate of each change it was given. Thread-safe. */
@FunctionalInterface
public interface Acknowledger {

    /**
     * Reports one change's outcome. Each change of a batch is acknowledged exactly once; further
     * acknowledgements of the same change are ignored.
     */
    void ack(Change change, Ack ack);
}
