package dev.bridge.core.engine;

import java.time.Duration;
import java.util.Objects;

/**
 * @param checkpointInterval how often the checkpoint is saved when it has advanced
 * @param shutdownDeadline how long a graceful stop waits for deliveries in flight
 */
public record EngineOptions(Duration checkpointInterval, Duration shutdownDeadline) {
    public EngineOptions {
        Objects.requireNonNull(checkpointInterval, "checkpointInterval");
        Objects.requireNonNull(shutdownDeadline, "shutdownDeadline");
        if (checkpointInterval.isNegative() || checkpointInterval.isZero()) {
            throw new IllegalArgumentException("checkpointInterval must be positive, got " + checkpointInterval);
        }
        if (shutdownDeadline.isNegative()) {
            throw new IllegalArgumentException("shutdownDeadline must not be negative, got " + shutdownDeadline);
        }
    }
}
