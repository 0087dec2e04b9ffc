package dev.bridge.core;

import java.util.Objects;

/**
 * A request to record one event of an object together with the object's resulting state.
 *
 * @param expectedVersion the version the object must be at now; 0 for an object that must not exist
 * @param eventType an application-defined event type
 * @param event the event's data
 * @param state the object's state after the event (its new snapshot)
 */
public record Append(Key key, long expectedVersion, int eventType, Json event, Json state) {
    public Append {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(state, "state");
        if (expectedVersion < 0) {
            throw new IllegalArgumentException("expectedVersion must be >= 0, got " + expectedVersion);
        }
    }

    /** The version the object will be at after this append. */
    public long newVersion() {
        return expectedVersion + 1;
    }
}
