package dev.bridge.benchmarks.load;

/** What a receiving end (the Redis subscriber, the webhook receiver) tells of each change it gets. */
interface Arrivals {

    /**
     * The change that took object {@code id} to {@code version} has arrived at {@code nanos}
     * ({@link System#nanoTime()}); {@code id} is -1 for a change of another bucket.
     */
    void arrived(long id, long version, long nanos);

    /** The same, from a named sender (a webhook receiver's path tells which process sent it); the name is ignored unless overridden. */
    default void arrived(String sender, long id, long version, long nanos) {
        arrived(id, version, nanos);
    }
}
