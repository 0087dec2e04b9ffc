package dev.bridge.core;

import java.time.Instant;
import java.util.Objects;

/** The latest state of an object and the version it is at. */
public record Snapshot(Key key, long version, Instant ts, Json val) {
    public Snapshot {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(ts, "ts");
        Objects.requireNonNull(val, "val");
        if (version < 1) {
            throw new IllegalArgumentException("snapshot version must be >= 1, got " + version);
        }
    }
}
