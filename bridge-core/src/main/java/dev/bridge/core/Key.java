package dev.bridge.core;

import java.util.Objects;

/** Identifies an object: its bucket and its id within the bucket. Order is kept per key. */
public record Key(String bucket, String id) {
    public Key {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(id, "id");
        if (bucket.isEmpty()) {
            throw new IllegalArgumentException("bucket must not be empty");
        }
        if (id.isEmpty()) {
            throw new IllegalArgumentException("id must not be empty (bucket '" + bucket + "')");
        }
    }
}
