package dev.bridge.core;

import java.time.Instant;
import java.util.Objects;

/**
 * One event in an object's history.
 *
 * @param version the object's version this event produced (1 for the first event)
 * @param type an application-defined event type
 * @param val the event's data
 */
public record Event(Key key, long version, int type, Instant ts, Json val) {
    public Event {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(ts, "ts");
        Objects.requireNonNull(val, "val");
        if (version < 1) {
            throw new IllegalArgumentException("event version must be >= 1, got " + version);
        }
    }
}
