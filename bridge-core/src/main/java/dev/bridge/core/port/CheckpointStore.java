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
}
