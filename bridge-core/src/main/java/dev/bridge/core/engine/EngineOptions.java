package dev.bridge.core.engine;

import dev.bridge.core.settings.Settings;
import dev.bridge.core.settings.SettingsProblems;
import java.time.Duration;
import java.util.Objects;

/**
 * @param checkpointInterval how often the checkpoint is saved when it has advanced
 * @param shutdownDeadline how long a graceful stop waits for deliveries in flight
 * @param handOverTime how long a partition handed over to another process keeps delivering what it
 *     holds; then it sends nothing more, waits for what is in flight (up to the shutdown deadline)
 *     and saves its checkpoint, and the next leader delivers the rest
 */
public record EngineOptions(Duration checkpointInterval, Duration shutdownDeadline, Duration handOverTime) {

    private static final EngineOptions DEFAULTS = new EngineOptions(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMillis(500));

    /** With the default hand-over time. */
    public EngineOptions(Duration checkpointInterval, Duration shutdownDeadline) {
        this(checkpointInterval, shutdownDeadline, DEFAULTS.handOverTime);
    }

    /**
     * The shipped defaults, as {@code bridge.engine} in bridge-core's reference.conf: the checkpoint
     * saved every second, 30 s for a graceful stop, 500 ms for a hand-over.
     */
    public static EngineOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Reads a {@code bridge.engine} block ({@code checkpoint-interval}, {@code shutdown-deadline},
     * {@code hand-over-time}, as in bridge-core's reference.conf); all must be set.
     *
     * @throws dev.bridge.core.InvalidSettingException naming every invalid setting
     */
    public static EngineOptions from(Settings s) {
        SettingsProblems problems = new SettingsProblems(s);
        Duration checkpointInterval = problems.check(() -> s.duration("checkpoint-interval", true));
        Duration shutdownDeadline = problems.check(() -> s.duration("shutdown-deadline", false));
        Duration handOverTime = problems.check(() -> s.duration("hand-over-time", false));
        problems.throwIfAny();
        return new EngineOptions(checkpointInterval, shutdownDeadline, handOverTime);
    }

    public EngineOptions withShutdownDeadline(Duration value) {
        return new EngineOptions(checkpointInterval, value, handOverTime);
    }

    public EngineOptions withCheckpointInterval(Duration value) {
        return new EngineOptions(value, shutdownDeadline, handOverTime);
    }

    public EngineOptions withHandOverTime(Duration value) {
        return new EngineOptions(checkpointInterval, shutdownDeadline, value);
    }

    public EngineOptions {
        Objects.requireNonNull(checkpointInterval, "checkpointInterval");
        Objects.requireNonNull(shutdownDeadline, "shutdownDeadline");
        Objects.requireNonNull(handOverTime, "handOverTime");
        if (checkpointInterval.isNegative() || checkpointInterval.isZero()) {
            throw new IllegalArgumentException("checkpointInterval must be positive, got " + checkpointInterval);
        }
        if (shutdownDeadline.isNegative()) {
            throw new IllegalArgumentException("shutdownDeadline must not be negative, got " + shutdownDeadline);
        }
        if (handOverTime.isNegative()) {
            throw new IllegalArgumentException("handOverTime must not be negative, got " + handOverTime);
        }
    }
}
