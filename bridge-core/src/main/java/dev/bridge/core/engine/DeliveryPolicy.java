package dev.bridge.core.engine;

import dev.bridge.core.settings.Settings;
import dev.bridge.core.settings.SettingsProblems;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How the engine feeds one sink.
 *
 * @param parallelism batches in flight at once; different keys only, so order per key holds
 * @param batchSize the most changes in one batch
 * @param linger how long a batch that is not full may wait for more changes
 * @param bufferChanges the most changes waiting for or in delivery; when full, the source waits
 * @param bufferBytes the most bytes of change data waiting for or in delivery (a change larger than
 *     this still passes, alone)
 * @param ackTimeout how long a delivered batch may stay unacknowledged before its remaining changes
 *     are retried
 * @param retry when to retry and when to give up
 * @param endpoint when the sink counts as down, how it is probed, and whether an outage counts
 *     toward {@code retry}'s limits
 */
public record DeliveryPolicy(int parallelism, int batchSize, Duration linger, int bufferChanges, long bufferBytes, Duration ackTimeout,
        RetryPolicy retry, EndpointPolicy endpoint) {

    public DeliveryPolicy {
        atLeastOne("parallelism", parallelism);
        atLeastOne("batchSize", batchSize);
        atLeastOne("bufferChanges", bufferChanges);
        if (bufferBytes < 1) {
            throw new IllegalArgumentException("bufferBytes must be at least 1, got " + bufferBytes);
        }
        Objects.requireNonNull(linger, "linger");
        if (linger.isNegative()) {
            throw new IllegalArgumentException("linger must not be negative, got " + linger);
        }
        Objects.requireNonNull(ackTimeout, "ackTimeout");
        if (ackTimeout.isNegative() || ackTimeout.isZero()) {
            throw new IllegalArgumentException("ackTimeout must be positive, got " + ackTimeout);
        }
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(endpoint, "endpoint");
    }

    /** A policy with {@link EndpointPolicy#defaults()}. */
    public DeliveryPolicy(int parallelism, int batchSize, Duration linger, int bufferChanges, long bufferBytes, Duration ackTimeout,
            RetryPolicy retry) {
        this(parallelism, batchSize, linger, bufferChanges, bufferBytes, ackTimeout, retry, EndpointPolicy.defaults());
    }

    /**
     * The shipped defaults, as {@code bridge.sink.defaults.delivery} in bridge-core's reference.conf:
     * parallelism 4, batches of up to 100 with no linger, a buffer of 10,000 changes or 64 MiB, a 60 s
     * acknowledgement timeout, {@link RetryPolicy#defaults()} and {@link EndpointPolicy#defaults()}.
     */
    public static DeliveryPolicy defaults() {
        return DEFAULTS;
    }

    private static final DeliveryPolicy DEFAULTS =
            new DeliveryPolicy(4, 100, Duration.ZERO, 10_000, 64L << 20, Duration.ofSeconds(60), RetryPolicy.defaults(),
                    EndpointPolicy.defaults());

    /**
     * Reads a sink's {@code delivery} block (keys as in {@code bridge.sink.defaults.delivery} of
     * bridge-core's reference.conf); every key must be set.
     *
     * @throws dev.bridge.core.InvalidSettingException naming every invalid setting
     */
    public static DeliveryPolicy from(Settings s) {
        SettingsProblems problems = new SettingsProblems(s);
        Integer parallelism = problems.check(() -> s.integer("parallelism", 1, 1024));
        Integer batchSize = problems.check(() -> s.integer("batch-size", 1, 100_000));
        Duration linger = problems.check(() -> s.duration("linger", false));
        Integer bufferChanges = problems.check(() -> s.integer("buffer-changes", 1, Integer.MAX_VALUE));
        Long bufferBytes = problems.check(() -> s.bytes("buffer-bytes", 1, Long.MAX_VALUE));
        Duration ackTimeout = problems.check(() -> s.duration("ack-timeout", true));
        Duration initial = problems.check(() -> s.duration("retry.initial-backoff", true));
        Duration max = problems.check(() -> s.duration("retry.max-backoff", true));
        notBelow(problems, s, "retry.max-backoff", max, "retry.initial-backoff", initial);
        List<Duration> schedule = problems.check(() -> s.durationList("retry.schedule"));
        Integer maxAttempts = problems.check(() -> s.integer("retry.max-attempts", 1, Integer.MAX_VALUE));
        Duration maxAge = problems.check(() -> s.duration("retry.max-age", true));
        Integer downAfter = problems.check(() -> s.integer("endpoint.down-after", 2, Integer.MAX_VALUE));
        Duration downAfterTime = problems.check(() -> s.duration("endpoint.down-after-time", false));
        Duration probeMin = problems.check(() -> s.duration("endpoint.probe-min", true));
        Duration probeMax = problems.check(() -> s.duration("endpoint.probe-max", true));
        notBelow(problems, s, "endpoint.probe-max", probeMax, "endpoint.probe-min", probeMin);
        Boolean countOutages = problems.check(() -> s.requireBool("endpoint.count-outages"));
        problems.throwIfAny();
        return new DeliveryPolicy(parallelism, batchSize, linger, bufferChanges, bufferBytes, ackTimeout,
                new RetryPolicy(initial, max, schedule, maxAttempts, maxAge), new EndpointPolicy(downAfter, downAfterTime, probeMin, probeMax, countOutages));
    }

    public DeliveryPolicy withParallelism(int value) {
        return new DeliveryPolicy(value, batchSize, linger, bufferChanges, bufferBytes, ackTimeout, retry, endpoint);
    }

    public DeliveryPolicy withBatch(int size, Duration lingerTime) {
        return new DeliveryPolicy(parallelism, size, lingerTime, bufferChanges, bufferBytes, ackTimeout, retry, endpoint);
    }

    public DeliveryPolicy withBuffer(int changes, long bytes) {
        return new DeliveryPolicy(parallelism, batchSize, linger, changes, bytes, ackTimeout, retry, endpoint);
    }

    public DeliveryPolicy withAckTimeout(Duration value) {
        return new DeliveryPolicy(parallelism, batchSize, linger, bufferChanges, bufferBytes, value, retry, endpoint);
    }

    public DeliveryPolicy withRetry(RetryPolicy value) {
        return new DeliveryPolicy(parallelism, batchSize, linger, bufferChanges, bufferBytes, ackTimeout, value, endpoint);
    }

    public DeliveryPolicy withEndpoint(EndpointPolicy value) {
        return new DeliveryPolicy(parallelism, batchSize, linger, bufferChanges, bufferBytes, ackTimeout, retry, value);
    }

    /** Records an {@code upper} below {@code lower} as a problem of whichever of the two keys the user set. */
    private static void notBelow(SettingsProblems problems, Settings s, String upperKey, Duration upper, String lowerKey, Duration lower) {
        if (upper == null || lower == null || upper.compareTo(lower) >= 0) {
            return;
        }
        String upperName = upperKey.substring(upperKey.lastIndexOf('.') + 1);
        String lowerName = lowerKey.substring(lowerKey.lastIndexOf('.') + 1);
        problems.add(s.conflict(upperKey, "must not be below " + lowerName + " (" + Settings.shown(lower) + "), got " + Settings.shown(upper),
                lowerKey, "must not be above " + upperName + " (" + Settings.shown(upper) + "), got " + Settings.shown(lower)));
    }

    private static void atLeastOne(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, got " + value);
        }
    }
}
