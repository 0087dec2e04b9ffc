package dev.bridge.core.port;

/**
 * One database that holds all the engine needs besides its sinks: the changes to read, the
 * consumers' checkpoints and the dead letters. bridge-postgres's {@code BridgePostgres} is one.
 */
public interface DeliveryStore {

    ChangeSource changeSource();

    CheckpointStore checkpointStore();

    DeadLetterStore deadLetterStore();

    /**
     * Who of the processes that share a consumer delivers what, if this store can tell; the engine
     * then delivers only the partitions this process leads. Empty by default: one process per consumer.
     */
    default java.util.Optional<Coordinator> coordinator() {
        return java.util.Optional.empty();
    }
}
