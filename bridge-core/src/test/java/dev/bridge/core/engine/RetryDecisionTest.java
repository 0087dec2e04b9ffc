package dev.bridge.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bridge.core.port.Ack;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Retry or give up, decided on given times. */
class RetryDecisionTest {

    private static final long SECOND = 1_000_000_000L;
    private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");
    private static final RetryPolicy POLICY = RetryPolicy.scheduled(List.of(Duration.ofSeconds(10)), 3, Duration.ofMinutes(1));

    private static RetryDecision after(Ack retry, int attempts, long firstAttemptAt, long now) {
        return RetryDecision.after((Ack.Retry) retry, POLICY, attempts, firstAttemptAt, now, NOW, new Random(7));
    }

    @Test
    void aRetryWaitsItsScheduledTimeGiveOrTakeAFifth() {
        RetryDecision next = after(Ack.retry("503"), 1, 0, 0);
        assertThat(next).isInstanceOfSatisfying(RetryDecision.RetryIn.class,
                in -> assertThat(in.nanos()).isBetween(8 * SECOND, 12 * SECOND));
    }

    @Test
    void theSinksOwnEarliestTimeWinsWhenItIsLater() {
        RetryDecision next = after(Ack.retryAfter(NOW.plusSeconds(40), "429"), 1, 0, 0);
        assertThat(next).isEqualTo(new RetryDecision.RetryIn(40 * SECOND));
    }

    @Test
    void aRetryAfterCenturiesAwayWaitsTheLongestWaitInsteadOfOverflowing() {
        RetryDecision next = after(Ack.retryAfter(NOW.plus(Duration.ofDays(400 * 365)), "429"), 1, 0, 0);
        assertThat(next).isEqualTo(new RetryDecision.RetryIn(RetryDecision.LONGEST_WAIT.toNanos()));
    }

    @Test
    void theLastAttemptGivesUpWithTheSinksReason() {
        assertThat(after(Ack.retry("503"), 3, 0, SECOND))
                .isEqualTo(new RetryDecision.GiveUp("gave up after 3 attempt(s): 503"));
    }

    @Test
    void aChangeFirstTriedLongerAgoThanMaxAgeGivesUpAtItsNextFailure() {
        assertThat(after(Ack.retry("timeout"), 2, 5 * SECOND, 65 * SECOND))
                .isEqualTo(new RetryDecision.GiveUp("gave up after 2 attempt(s) and PT1M: timeout"));
        assertThat(after(Ack.retry("timeout"), 2, 5 * SECOND, 64 * SECOND)).isInstanceOf(RetryDecision.RetryIn.class);
    }
}
