package dev.bridge.core.engine;

import dev.bridge.core.port.Ack;
import java.time.Duration;
import java.time.Instant;
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
        long delay = policy.delay(attempts, random).toNanos();
        if (retry.notBefore().isPresent()) {
            delay = Math.max(delay, Duration.between(wallNow, retry.notBefore().get()).toNanos());
        }
        return new RetryIn(delay);
    }
}
