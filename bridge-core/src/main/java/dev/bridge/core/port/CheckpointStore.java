package dev.bridge.core.port;

import dev.bridge.core.Checkpoint;
import java.util.Optional;

/**
 * Remembers how far each named consumer has processed. Thread-safe; a save is durable when it returns.
 */
public interface CheckpointStore {

    /** The consumer's last saved checkpoint, or empty if it has none. */
    Optional<Checkpoint> load(String consumer);

    /** Saves the consumer's checkpoint, replacing the previous one. */
    void save(String consumer, Checkpoint checkpoint);

    /**
     * How many changes the source dropped in all before this consumer read them — a log pruned
     * after its maximum retention while the consumer stayed away — as of the last {@link #load} or
     * {@link #save}. Such changes are never delivered. 0 by default, for stores whose source drops
     * nothing.
     */
    default long lost(String consumer) {
        return 0;
    }
}
