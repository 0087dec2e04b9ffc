package dev.bridge.core.port;

/**
 * One database that holds all the engine needs besides its sinks: the changes to read, the
 * consumers' checkpoints and the dead letters. bridge-postgres's {@code BridgePostgres} is one.
 */
public interface DeliveryStore {

    ChangeSource changeSource();

    CheckpointStore checkpointStore();

    DeadLetterStore deadLetterStore();
}
