package dev.bridge.postgres;

import dev.bridge.core.protocol.FrameEncoder;
import dev.bridge.core.protocol.ReassemblerOptions;
import dev.bridge.core.InvalidSettingException;
import dev.bridge.core.settings.Settings;
import dev.bridge.core.settings.SettingsProblems;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How Bridge uses a PostgreSQL database.
 *
 * @param schema the schema holding Bridge's tables and functions
 * @param channel the {@code NOTIFY} channel changes are sent on
 * @param maxFrameBytes the largest {@code NOTIFY} payload the triggers send in at-most-once mode,
 *     128 to 7999 bytes (signed frames, docs/protocol.md)
 * @param checkInterval how often an idle listener checks its connection is alive
 * @param checkTimeout how long the listener waits for any answer from the server (a liveness check,
 *     a read of the change log) before it declares the connection dead
 * @param reconnectMin the first delay before reconnecting; doubled on each failure, with full jitter
 * @param reconnectMax the longest delay before reconnecting
 * @param queueUsageWarning the fill of PostgreSQL's notification queue (0 to 1) past which the
 *     listener warns; checked every {@code checkInterval}
 * @param reassembly the listener's reassembly bounds (at-most-once mode)
 * @param mode at-least-once (change log and checkpoints) or at-most-once (notifications only)
 * @param pollInterval in at-least-once mode, how often the listener reads the log when no
 *     notification prompts it
 * @param pageSize in at-least-once mode, the most changes read from the log in one query
 * @param retention how long logged changes are kept after every consumer has passed them
 * @param pruneInterval how often the listener prunes the log
 * @param lockTimeout the longest Bridge waits for a lock on a user table (to create, change or drop
 *     its capture trigger) or on its own tables during an upgrade, before it gives up
 * @param maxRetention how long a logged change is kept at most, even if a consumer has not passed
 *     it (one that was abandoned, or stays away too long); zero for no limit. Such a consumer is
 *     told how many it missed ({@code CheckpointStore.lost})
 */
public record PostgresOptions(
        String schema,
        String channel,
        int maxFrameBytes,
        Duration checkInterval,
        Duration checkTimeout,
        Duration reconnectMin,
        Duration reconnectMax,
        double queueUsageWarning,
        ReassemblerOptions reassembly,
        DeliveryMode mode,
        Duration pollInterval,
        int pageSize,
        Duration retention,
        Duration pruneInterval,
        Duration lockTimeout,
        Duration maxRetention,
        Duration leaseTime) {

    /** The shortest lease: renewed every fifth of it, on a connection that may be slow for a moment. */
    static final Duration MIN_LEASE = Duration.ofMillis(250);

    private static final PostgresOptions DEFAULTS = new PostgresOptions("bridge", "bridge", FrameEncoder.MAX_FRAME_BYTES,
            Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofSeconds(30), 0.5,
            ReassemblerOptions.defaults(), DeliveryMode.AT_LEAST_ONCE, Duration.ofSeconds(1), 1_000,
            Duration.ofHours(1), Duration.ofMinutes(1), Duration.ofSeconds(3), Duration.ofDays(7), Duration.ofSeconds(1));

    public PostgresOptions {
        Identifiers.require("schema", schema);
        Identifiers.require("channel", channel);
        if (maxFrameBytes < FrameEncoder.MIN_SIGNED_FRAME_BYTES || maxFrameBytes > FrameEncoder.MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("maxFrameBytes must be between " + FrameEncoder.MIN_SIGNED_FRAME_BYTES + " and "
                    + FrameEncoder.MAX_FRAME_BYTES + ", got " + maxFrameBytes);
        }
        positive("checkInterval", checkInterval);
        positive("checkTimeout", checkTimeout);
        positive("reconnectMin", reconnectMin);
        positive("reconnectMax", reconnectMax);
        if (reconnectMax.compareTo(reconnectMin) < 0) {
            throw new IllegalArgumentException("reconnectMax (" + reconnectMax + ") must not be below reconnectMin (" + reconnectMin + ")");
        }
        if (!(queueUsageWarning > 0 && queueUsageWarning <= 1)) {
            throw new IllegalArgumentException("queueUsageWarning must be in (0, 1], got " + queueUsageWarning);
        }
        Objects.requireNonNull(reassembly, "reassembly");
        Objects.requireNonNull(mode, "mode");
        positive("pollInterval", pollInterval);
        if (pageSize < 1) {
            throw new IllegalArgumentException("pageSize must be at least 1, got " + pageSize);
        }
        Objects.requireNonNull(retention, "retention");
        if (retention.isNegative()) {
            throw new IllegalArgumentException("retention must not be negative, got " + retention);
        }
        positive("pruneInterval", pruneInterval);
        positive("lockTimeout", lockTimeout);
        Objects.requireNonNull(maxRetention, "maxRetention");
        if (maxRetention.isNegative() || (!maxRetention.isZero() && maxRetention.compareTo(retention) < 0)) {
            throw new IllegalArgumentException("maxRetention must be 0 (no limit) or at least retention (" + retention + "), got " + maxRetention);
        }
        positive("leaseTime", leaseTime);
        if (leaseTime.compareTo(MIN_LEASE) < 0) {
            throw new IllegalArgumentException("leaseTime must be at least " + MIN_LEASE.toMillis() + "ms, got " + leaseTime);
        }
    }

    /**
     * Schema and channel {@code bridge}, 7999-byte frames, a liveness check every 5 s that may take
     * 5 s, reconnects after 100 ms doubling to 30 s, a warning at half-full notification queue;
     * at-least-once, the log read at least every second in pages of
     * 1,000, kept an hour after every consumer passed it and 7 days at most, pruned every minute;
     * locks awaited 3 s at most; leases of 1 s.
     */
    public static PostgresOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Reads the options from a {@code bridge.postgres} block (keys as in this module's
     * reference.conf, which documents each): every key must be set, so lay the reference beneath
     * the block. The connection keys ({@code host}, {@code user}, …) are not options and are not read.
     *
     * @throws InvalidSettingException naming every setting that is invalid, each also attached as a
     *     suppressed exception
     */
    public static PostgresOptions from(Settings s) {
        SettingsProblems problems = new SettingsProblems(s);
        String schema = problems.check(() -> identifier(s, "schema"));
        String channel = problems.check(() -> identifier(s, "channel"));
        Integer maxFrameBytes = problems.check(() -> s.integer("max-frame-bytes", FrameEncoder.MIN_SIGNED_FRAME_BYTES,
                FrameEncoder.MAX_FRAME_BYTES));
        Duration checkInterval = problems.check(() -> s.duration("check-interval", true));
        Duration checkTimeout = problems.check(() -> s.duration("check-timeout", true));
        Duration reconnectMin = problems.check(() -> s.duration("reconnect-min", true));
        Duration reconnectMax = problems.check(() -> s.duration("reconnect-max", true));
        if (reconnectMin != null && reconnectMax != null && reconnectMax.compareTo(reconnectMin) < 0) {
            problems.add(s.conflict("reconnect-max", "must not be below reconnect-min (" + Settings.shown(reconnectMin) + "), got "
                    + Settings.shown(reconnectMax), "reconnect-min", "must not be above reconnect-max (" + Settings.shown(reconnectMax)
                    + "), got " + Settings.shown(reconnectMin)));
        }
        Double queueUsageWarning = problems.check(() -> s.number("queue-usage-warning", 0, 1));
        DeliveryMode mode = problems.check(() -> s.choice("mode",
                Map.of("at-least-once", DeliveryMode.AT_LEAST_ONCE, "at-most-once", DeliveryMode.AT_MOST_ONCE)));
        Duration pollInterval = problems.check(() -> s.duration("poll-interval", true));
        Integer pageSize = problems.check(() -> s.integer("page-size", 1, Integer.MAX_VALUE));
        Duration retention = problems.check(() -> s.duration("retention", false));
        Duration pruneInterval = problems.check(() -> s.duration("prune-interval", true));
        Duration lockTimeout = problems.check(() -> s.duration("lock-timeout", true));
        Duration maxRetention = problems.check(() -> s.duration("max-retention", false));
        Duration leaseTime = problems.check(() -> s.duration("lease-time", true));
        if (leaseTime != null && leaseTime.compareTo(MIN_LEASE) < 0) {
            problems.add(s.invalid("lease-time", "must be at least " + Settings.shown(MIN_LEASE) + ", got " + Settings.shown(leaseTime)));
        }
        if (retention != null && maxRetention != null && !maxRetention.isZero() && maxRetention.compareTo(retention) < 0) {
            problems.add(s.conflict("max-retention", "must be 0 (no limit) or at least retention (" + Settings.shown(retention)
                    + "), got " + Settings.shown(maxRetention), "retention", "must not be above max-retention ("
                    + Settings.shown(maxRetention) + ", which 0 lifts), got " + Settings.shown(retention)));
        }
        Integer maxMessageBytes = problems.check(() -> (int) s.bytes("reassembly.max-message-bytes", 1, Integer.MAX_VALUE - 16));
        Integer maxMessagesInFlight = problems.check(() -> s.integer("reassembly.max-messages-in-flight", 1, Integer.MAX_VALUE));
        Long maxBufferedBytes = problems.check(() -> s.bytes("reassembly.max-buffered-bytes", 1, Long.MAX_VALUE));
        if (maxMessageBytes != null && maxBufferedBytes != null && maxBufferedBytes < maxMessageBytes) {
            problems.add(s.conflict("reassembly.max-buffered-bytes", "must be at least reassembly.max-message-bytes ("
                    + Settings.shownBytes(maxMessageBytes) + "), got " + Settings.shownBytes(maxBufferedBytes),
                    "reassembly.max-message-bytes", "must not be above reassembly.max-buffered-bytes ("
                    + Settings.shownBytes(maxBufferedBytes) + "), got " + Settings.shownBytes(maxMessageBytes)));
        }
        Duration expireAfter = problems.check(() -> s.duration("reassembly.expire-after", true));
        Boolean legacyFrames = problems.check(() -> s.requireBool("reassembly.legacy-frames"));
        Boolean unsignedFrames = problems.check(() -> s.requireBool("reassembly.unsigned-frames"));
        if (mode == DeliveryMode.AT_LEAST_ONCE) {
            for (String frames : List.of("reassembly.legacy-frames", "reassembly.unsigned-frames")) {
                if (Boolean.TRUE.equals(frames.endsWith("legacy-frames") ? legacyFrames : unsignedFrames)) {
                    problems.add(s.invalid(frames, "is read in at-most-once mode only (bridge.postgres.mode = at-most-once); in"
                            + " at-least-once mode every change is read from the change log, never from frames"));
                }
            }
        }
        problems.throwIfAny();
        return new PostgresOptions(schema, channel, maxFrameBytes, checkInterval, checkTimeout, reconnectMin, reconnectMax,
                queueUsageWarning, new ReassemblerOptions(maxMessageBytes, maxMessagesInFlight, maxBufferedBytes, expireAfter,
                        legacyFrames, unsignedFrames), mode, pollInterval, pageSize, retention, pruneInterval, lockTimeout, maxRetention, leaseTime);
    }

    private static String identifier(Settings s, String key) {
        String name = s.string(key).orElseThrow(() -> s.invalid(key, "is required"));
        if (!Identifiers.valid(name)) {
            throw s.invalid(key, "must be a letter or underscore followed by up to 62 letters, digits or underscores, got '"
                    + Identifiers.printable(name) + "'");
        }
        return name;
    }

    public PostgresOptions withSchema(String value) {
        return new PostgresOptions(value, channel, maxFrameBytes, checkInterval, checkTimeout, reconnectMin, reconnectMax, queueUsageWarning, reassembly, mode, pollInterval, pageSize, retention, pruneInterval, lockTimeout, maxRetention, leaseTime);
    }

    public PostgresOptions withChannel(String value) {
        return new PostgresOptions(schema, value, maxFrameBytes, checkInterval, checkTimeout, reconnectMin, reconnectMax, queueUsageWarning, reassembly, mode, pollInterval, pageSize, retention, pruneInterval, lockTimeout, maxRetention, leaseTime);
    }

    public PostgresOptions withMaxFrameBytes(int value) {
        return new PostgresOptions(schema, channel, value, checkInterval, checkTimeout, reconnectMin, reconnectMax, queueUsageWarning, reassembly, mode, pollInterval, pageSize, retention, pruneInterval, lockTimeout, maxRetention, leaseTime);
    }

    public PostgresOptions withLiveness(Duration interval, Duration timeout) {
        return new PostgresOptions(schema, channel, maxFrameBytes, interval, timeout, reconnectMin, reconnectMax, queueUsageWarning, reassembly, mode, pollInterval, pageSize, retention, pruneInterval, lockTimeout, maxRetention, leaseTime);
    }

    public PostgresOptions withReconnect(Duration min, Duration max) {
        return new PostgresOptions(schema, channel, maxFrameBytes, checkInterval, checkTimeout, min, max, queueUsageWarning, reassembly, mode, pollInterval, pageSize, retention, pruneInterval, lockTimeout, maxRetention, leaseTime);
    }

    public PostgresOptions withQueueUsageWarning(double value) {
        return new PostgresOptions(schema, channel, maxFrameBytes, checkInterval, checkTimeout, reconnectMin, reconnectMax, value, reassembly, mode, pollInterval, pageSize, retention, pruneInterval, lockTimeout, maxRetention, leaseTime);
    }

    public PostgresOptions withReassembly(ReassemblerOptions value) {
        return new PostgresOptions(schema, channel, maxFrameBytes, checkInterval, checkTimeout, reconnectMin, reconnectMax, queueUsageWarning, value, mode, pollInterval, pageSize, retention, pruneInterval, lockTimeout, maxRetention, leaseTime);
    }

    public PostgresOptions withMode(DeliveryMode value) {
        return new PostgresOptions(schema, channel, maxFrameBytes, checkInterval, checkTimeout, reconnectMin, reconnectMax, queueUsageWarning, reassembly, value, pollInterval, pageSize, retention, pruneInterval, lockTimeout, maxRetention, leaseTime);
    }

    public PostgresOptions withLogReading(Duration interval, int rowsPerQuery) {
        return new PostgresOptions(schema, channel, maxFrameBytes, checkInterval, checkTimeout, reconnectMin, reconnectMax, queueUsageWarning, reassembly, mode, interval, rowsPerQuery, retention, pruneInterval, lockTimeout, maxRetention, leaseTime);
    }

    public PostgresOptions withPruning(Duration keep, Duration every) {
        return new PostgresOptions(schema, channel, maxFrameBytes, checkInterval, checkTimeout, reconnectMin, reconnectMax, queueUsageWarning, reassembly, mode, pollInterval, pageSize, keep, every, lockTimeout, maxRetention, leaseTime);
    }

    public PostgresOptions withLockTimeout(Duration value) {
        return new PostgresOptions(schema, channel, maxFrameBytes, checkInterval, checkTimeout, reconnectMin, reconnectMax, queueUsageWarning, reassembly, mode, pollInterval, pageSize, retention, pruneInterval, value, maxRetention, leaseTime);
    }

    public PostgresOptions withLeaseTime(Duration value) {
        return new PostgresOptions(schema, channel, maxFrameBytes, checkInterval, checkTimeout, reconnectMin, reconnectMax, queueUsageWarning, reassembly, mode, pollInterval, pageSize, retention, pruneInterval, lockTimeout, maxRetention, value);
    }

    public PostgresOptions withMaxRetention(Duration value) {
        return new PostgresOptions(schema, channel, maxFrameBytes, checkInterval, checkTimeout, reconnectMin, reconnectMax, queueUsageWarning, reassembly, mode, pollInterval, pageSize, retention, pruneInterval, lockTimeout, value, leaseTime);
    }

    String quotedSchema() {
        return Identifiers.quote("schema", schema);
    }

    private static void positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
