package dev.bridge.core.engine;

import dev.bridge.core.port.Ack;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Random;

/** What follows a delivery the sink asked to retry: another attempt after a wait, or a dead letter. */
sealed interface RetryDecision {

    /** Try again in {@code nanos}. */
    record RetryIn(long nanos) implements RetryDecision {
    }

    /** Give up: store the change as a dead letter for {@code reason}. */
    record GiveUp(String reason) implements RetryDecision {
    }

    /**
     * @param attempts deliveries tried so far, the one that failed included
     * @param firstAttemptAt when the first was, on the nanosecond clock of {@code now}
     * @param wallNow the time now, against which the sink's {@link Ack.Retry#notBefore()} is measured
     */
    static RetryDecision after(Ack.Retry retry, RetryPolicy policy, int attempts, long firstAttemptAt, long now, Instant wallNow,
            Random random) {
        boolean tooOld = now - firstAttemptAt >= policy.maxAge().toNanos();
        if (attempts >= policy.maxAttempts() || tooOld) {
            return new GiveUp("gave up after " + attempts + " attempt(s)" + (tooOld ? " and " + policy.maxAge() : "") + ": "
                    + retry.reason());
        }
        return new RetryIn(Math.max(policy.delay(attempts, random).toNanos(), nanosUntil(retry.notBefore(), wallNow)));
    }

    /** A wait asked for further off than this is taken as this, which keeps sums of nanosecond times from overflowing. */
    Duration LONGEST_WAIT = Duration.ofDays(100);

    /** How long from {@code wallNow} until {@code notBefore}, at most {@link #LONGEST_WAIT}; 0 if it has passed or is absent. */
    static long nanosUntil(Optional<Instant> notBefore, Instant wallNow) {
        Duration wait = notBefore.map(at -> Duration.between(wallNow, at)).orElse(Duration.ZERO);
        return wait.isNegative() ? 0 : wait.compareTo(LONGEST_WAIT) > 0 ? LONGEST_WAIT.toNanos() : wait.toNanos();
    }
}
