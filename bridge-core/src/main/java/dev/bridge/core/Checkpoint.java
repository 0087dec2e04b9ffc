package dev.bridge.core;

import java.util.Objects;

/**
 * How far a consumer has processed a change source: an opaque position that only the source that
 * issued it interprets (a log sequence, a snapshot). Resuming from a checkpoint yields every change
 * after it.
 */
public record Checkpoint(String position) {
    public Checkpoint {
        Objects.requireNonNull(position, "position");
        if (position.isBlank()) {
            throw new IllegalArgumentException("checkpoint position must not be blank");
        }
    }
}
