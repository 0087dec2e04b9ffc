package dev.bridge.benchmarks.load;

/**
 * One way for changes written to {@code bridge_snaps} to reach Redis, installed in a fresh schema
 * where the Bridge schema (with its capture trigger) is already in place. Lifecycle: {@link #start()}
 * once, then {@link #close()} once.
 */
interface DeliveryPath extends AutoCloseable {

    /** Changes the schema as the path needs and starts whatever carries changes to Redis. */
    void start() throws Exception;

    /** Whether changes reach the subscriber at all (the writers-only ceiling delivers nothing). */
    boolean delivers();

    /** Stops carrying changes; what is in flight may be dropped. */
    @Override
    void close();
}
