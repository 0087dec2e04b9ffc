package dev.bridge.core.engine;

import dev.bridge.core.settings.Settings;
import dev.bridge.core.settings.SettingsProblems;
import java.time.Duration;
import java.util.Objects;

/**
 * @param checkpointInterval how often the checkpoint is saved when it has advanced
 * @param shutdownDeadline how long a graceful stop waits for deliveries in flight
 */
public record EngineOptions(Duration checkpointInterval, Duration shutdownDeadline) {

    private static final EngineOptions DEFAULTS = new EngineOptions(Duration.ofSeconds(1), Duration.ofSeconds(30));

    /**
     * The shipped defaults, as {@code bridge.engine} in bridge-core's reference.conf: the checkpoint
     * saved every second, 30 s for a graceful stop.
     */
    public static EngineOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Reads a {@code bridge.engine} block ({@code checkpoint-interval}, {@code shutdown-deadline}, as
     * in bridge-core's reference.conf); both must be set.
     *
     * @throws dev.bridge.core.InvalidSettingException naming every invalid setting
     */
    public static EngineOptions from(Settings s) {
        SettingsProblems problems = new SettingsProblems(s);
        Duration checkpointInterval = problems.check(() -> s.duration("checkpoint-interval", true));
        Duration shutdownDeadline = problems.check(() -> s.duration("shutdown-deadline", false));
        problems.throwIfAny();
        return new EngineOptions(checkpointInterval, shutdownDeadline);
    }

    public EngineOptions withShutdownDeadline(Duration value) {
        return new EngineOptions(checkpointInterval, value);
    }

    public EngineOptions withCheckpointInterval(Duration value) {
        return new EngineOptions(value, shutdownDeadline);
    }
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
