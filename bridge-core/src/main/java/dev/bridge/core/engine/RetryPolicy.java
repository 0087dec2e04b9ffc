package dev.bridge.core.engine;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * When to try a failed delivery again, and when to give up.
 *
 * <p>Without a schedule the n-th retry waits a random time between 0 and
 * {@code min(maxBackoff, initialBackoff × 2^(n-1))} (exponential backoff with full jitter). With a
 * schedule the n-th retry waits the schedule's n-th entry (its last one after that), give or take
 * a fifth at random. A sink's own earliest retry time, when later, wins.
 *
 * @param initialBackoff the ceiling of the first retry's wait
 * @param maxBackoff the largest ceiling
 * @param schedule fixed waits before the 1st, 2nd, … retry; empty for exponential backoff
 * @param maxAttempts deliveries tried in all, the first included, before the change is dead-lettered
 * @param maxAge how long after its first attempt a change may still be retried
 */
public record RetryPolicy(Duration initialBackoff, Duration maxBackoff, List<Duration> schedule, int maxAttempts, Duration maxAge) {

    public RetryPolicy {
        positive("initialBackoff", initialBackoff);
        positive("maxBackoff", maxBackoff);
        positive("maxAge", maxAge);
        schedule = List.copyOf(schedule);
        for (Duration d : schedule) {
            if (d.isNegative()) {
                throw new IllegalArgumentException("a retry schedule entry must not be negative, got " + d);
            }
        }
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("maxBackoff (" + maxBackoff + ") must not be below initialBackoff (" + initialBackoff + ")");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
    }

    private static final RetryPolicy DEFAULTS =
            exponential(Duration.ofMillis(100), Duration.ofSeconds(30), 20, Duration.ofHours(1));

    /**
     * The shipped defaults, as {@code bridge.sink.defaults.delivery.retry} in bridge-core's
     * reference.conf: exponential backoff from 100 ms up to 30 s, at most 20 attempts within 1 h.
     */
    public static RetryPolicy defaults() {
        return DEFAULTS;
    }

    /**
     * Fixed waits before the 1st, 2nd, … retry (the last one repeating), give or take a fifth. The
     * backoff bounds, which a schedule does not use, are left at their defaults.
     *
     * @param schedule at least one wait
     */
    public static RetryPolicy scheduled(List<Duration> schedule, int maxAttempts, Duration maxAge) {
        if (schedule.isEmpty()) {
            throw new IllegalArgumentException("a retry schedule needs at least one wait; use exponential(...) for none");
        }
        return new RetryPolicy(DEFAULTS.initialBackoff, DEFAULTS.maxBackoff, schedule, maxAttempts, maxAge);
    }

    /** Exponential backoff with full jitter. */
    public static RetryPolicy exponential(Duration initialBackoff, Duration maxBackoff, int maxAttempts, Duration maxAge) {
        return new RetryPolicy(initialBackoff, maxBackoff, List.of(), maxAttempts, maxAge);
    }

    /** How long to wait before retry number {@code retry} (1 for the first retry). */
    public Duration delay(int retry, Random random) {
        if (retry < 1) {
            throw new IllegalArgumentException("retry numbers start at 1, got " + retry);
        }
        if (!schedule.isEmpty()) {
            long base = schedule.get(Math.min(retry, schedule.size()) - 1).toMillis();
            return Duration.ofMillis(Math.max(0, Math.round(base * (0.8 + 0.4 * random.nextDouble()))));
        }
        long ceiling = initialBackoff.toMillis();
        for (int i = 1; i < retry && ceiling < maxBackoff.toMillis(); i++) {
            ceiling *= 2;
        }
        ceiling = Math.min(ceiling, maxBackoff.toMillis());
        return Duration.ofMillis((long) (random.nextDouble() * (ceiling + 1)));
    }

    private static void positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
