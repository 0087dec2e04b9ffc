package dev.bridge.core.port;

/** A running {@link ChangeSource} subscription. Thread-safe. */
public interface Subscription extends AutoCloseable {

    /** Whether the subscription is still delivering (it may be reconnecting). */
    boolean isActive();

    /** Stops delivery and releases the subscription's resources; idempotent; does not throw. */
    @Override
    void close();
}
