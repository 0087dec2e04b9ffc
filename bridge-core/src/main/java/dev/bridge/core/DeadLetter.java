package dev.bridge.core;

import java.time.Instant;
import java.util.Objects;

/**
 * A change a sink could not deliver, kept so it can be inspected and replayed.
 *
 * @param id the store's id for this letter
 * @param sink the name of the sink that gave up
 * @param reason the last error, as the sink reported it
 * @param attempts how many deliveries were tried
 * @param failedAt when the sink gave up
 */
public record DeadLetter(long id, String sink, Change change, String reason, int attempts, Instant failedAt) {
    public DeadLetter {
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(change, "change");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(failedAt, "failedAt");
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be >= 1, got " + attempts);
        }
    }
}
