package dev.bridge.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bridge.core.Key;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Down, probed and back on given times: no threads, no clock. */
class EndpointHealthTest {

    private static final long MS = 1_000_000L;
    private static final long SECOND = 1_000 * MS;
    /** Down on the count alone, as these tests give failures at one moment; the time criterion has a test of its own. */
    private static final EndpointPolicy POLICY = EndpointPolicy.defaults().withDownAfterTime(java.time.Duration.ZERO);
    private static final Key A = new Key("orders", "a");
    private static final Key B = new Key("orders", "b");

    private static EndpointHealth downAt(long now) {
        EndpointHealth health = new EndpointHealth(POLICY, 0);
        for (int i = 0; i < POLICY.downAfter(); i++) {
            health.retried(i % 2 == 0 ? A : B, "503 Service Unavailable", now, now);
        }
        assertThat(health.state(now)).isEqualTo(SinkState.DOWN);
        return health;
    }

    @Test
    void failuresInARowAcrossKeysTakeTheSinkDownAtTheLimitAndNotBefore() {
        EndpointHealth health = new EndpointHealth(POLICY, 0);
        assertThat(health.state(0)).isEqualTo(SinkState.DELIVERING);
        for (int i = 1; i < POLICY.downAfter(); i++) {
            health.retried(i % 2 == 0 ? A : B, "connection refused", i * MS, i * MS);
            assertThat(health.state(i * MS)).isEqualTo(SinkState.DEGRADED);
        }
        assertThat(health.since(4 * MS)).as("degraded since the first failure").isEqualTo(MS);

        health.retried(A, "connection refused", 5 * MS, 5 * MS);

        assertThat(health.state(5 * MS)).isEqualTo(SinkState.DOWN);
        assertThat(health.since(5 * MS)).isEqualTo(5 * MS);
        assertThat(health.failures()).isEqualTo(5);
        assertThat(health.lastReason()).isEqualTo("connection refused");
    }

    @Test
    void failuresInARowTakeTheSinkDownOnlyOnceTheyHaveGoneOnForTheTimeTheyMust() {
        EndpointHealth health = new EndpointHealth(EndpointPolicy.defaults(), 0);
        for (int i = 0; i < 100; i++) {
            health.retried(i % 2 == 0 ? A : B, "500", i * MS, i * MS);
        }
        assertThat(health.state(100 * MS)).as("100 failures within 0.1 s").isEqualTo(SinkState.DEGRADED);
        health.retried(A, "500", 999 * MS, 999 * MS);
        assertThat(health.state(999 * MS)).isEqualTo(SinkState.DEGRADED);
        health.retried(B, "500", SECOND, SECOND);
        assertThat(health.state(SECOND)).as("1 s after the first of them").isEqualTo(SinkState.DOWN);

        EndpointHealth mixed = new EndpointHealth(EndpointPolicy.defaults(), 0);
        for (int i = 0; i < 1_000; i++) {
            // Half the keys refused, half delivered, at 1,000 a second: never a second without a delivery.
            if (i % 7 == 3) {
                mixed.delivered(i * MS);
            } else {
                mixed.retried(i % 2 == 0 ? A : B, "500", i * MS, i * MS);
            }
        }
        assertThat(mixed.state(SECOND)).isEqualTo(SinkState.DEGRADED);
    }

    @Test
    void oneKeyFailingAloneNeverTakesTheSinkDownHoweverOftenItFails() {
        EndpointHealth health = new EndpointHealth(POLICY, 0);
        for (int i = 1; i <= 50; i++) {
            health.retried(A, "500", i * SECOND, i * SECOND);
        }
        assertThat(health.state(50 * SECOND)).isEqualTo(SinkState.DEGRADED);

        health.retried(B, "500", 51 * SECOND, 51 * SECOND);
        assertThat(health.state(51 * SECOND)).as("a second key in the same run").isEqualTo(SinkState.DOWN);
    }

    @Test
    void aDeliveryEndsTheRunSoFailuresBetweenDeliveriesDoNotAddUp() {
        EndpointHealth health = new EndpointHealth(POLICY, 0);
        for (int i = 0; i < 20; i++) {
            health.retried(i % 2 == 0 ? A : B, "502", i * MS, i * MS);
            if (i % 4 == 3) {
                assertThat(health.delivered(i * MS)).isEmpty();
            }
        }
        assertThat(health.state(20 * MS)).isEqualTo(SinkState.DEGRADED);
    }

    @Test
    void degradedLastsTenSecondsAfterTheLastFailure() {
        EndpointHealth health = new EndpointHealth(POLICY, 0);
        health.retried(A, "timeout", SECOND, SECOND);
        health.retried(A, "timeout", 4 * SECOND, 4 * SECOND);

        assertThat(health.state(14 * SECOND - 1)).isEqualTo(SinkState.DEGRADED);
        assertThat(health.since(14 * SECOND - 1)).isEqualTo(SECOND);
        assertThat(health.state(14 * SECOND)).isEqualTo(SinkState.DELIVERING);
        assertThat(health.since(14 * SECOND)).isEqualTo(14 * SECOND);
    }

    @Test
    void probesStartAtTheLeastWaitAndDoubleUpToTheMostAndOnlyOneIsOut() {
        EndpointHealth health = downAt(0);
        assertThat(health.untilProbe(0)).isEqualTo(200 * MS);

        long now = 200 * MS;
        long[] waits = new long[6];
        for (int i = 0; i < waits.length; i++) {
            assertThat(health.untilProbe(now)).isLessThanOrEqualTo(0);
            health.probeSent();
            assertThat(health.untilProbe(now)).as("one probe out at a time").isEqualTo(Long.MAX_VALUE);
            now += 30 * MS;
            health.probeFailed("connection refused", now, now);
            waits[i] = health.untilProbe(now);
            now += waits[i];
        }

        assertThat(waits).containsExactly(400 * MS, 800 * MS, 1_600 * MS, 2_000 * MS, 2_000 * MS, 2_000 * MS);
        assertThat(health.state(now)).isEqualTo(SinkState.DOWN);
    }

    @Test
    void noProbeGoesBeforeTheTimeTheEndpointAskedFor() {
        EndpointHealth health = new EndpointHealth(POLICY, 0);
        health.retried(A, "429", 30 * SECOND, 0);
        for (int i = 1; i < POLICY.downAfter(); i++) {
            health.retried(B, "503", 0, 0);
        }
        assertThat(health.untilProbe(0)).as("the Retry-After of the run").isEqualTo(30 * SECOND);

        health.probeSent();
        health.probeFailed("503", 90 * SECOND, 30 * SECOND);
        assertThat(health.untilProbe(30 * SECOND)).isEqualTo(60 * SECOND);
    }

    @Test
    void aDeliveredProbeEndsTheOutageAndTellsWhenItsRunBegan() {
        EndpointHealth health = new EndpointHealth(POLICY, 0);
        health.retried(A, "refused", 3 * SECOND, 3 * SECOND);
        for (int i = 1; i < POLICY.downAfter(); i++) {
            health.retried(B, "refused", 4 * SECOND, 4 * SECOND);
        }
        health.probeSent();
        health.probeFailed("refused", 5 * SECOND, 5 * SECOND);
        health.probeSent();

        EndpointHealth.Outage outage = health.delivered(9 * SECOND).orElseThrow();

        assertThat(outage).isEqualTo(new EndpointHealth.Outage(3 * SECOND, 5 * SECOND, 6));
        assertThat(health.state(9 * SECOND)).as("delivering at once, not degraded").isEqualTo(SinkState.DELIVERING);
        assertThat(health.since(9 * SECOND)).isEqualTo(9 * SECOND);
        assertThat(health.untilProbe(9 * SECOND)).isEqualTo(Long.MAX_VALUE);
        assertThat(health.failures()).isZero();
        assertThat(health.cameBackSince(8 * SECOND)).as("an attempt sent while down is stale").isTrue();
        assertThat(health.cameBackSince(9 * SECOND)).isFalse();
    }

    @Test
    void aProbeFailedForGoodKeepsTheSinkDownAndTheNextProbeComesAfterTheLeastWait() {
        EndpointHealth health = downAt(0);
        health.probeSent();
        health.probeFailed("refused", SECOND, SECOND);
        health.probeSent();

        health.probeRefused(2 * SECOND);

        assertThat(health.state(2 * SECOND)).isEqualTo(SinkState.DOWN);
        assertThat(health.untilProbe(2 * SECOND)).isEqualTo(200 * MS);
    }

    @Test
    void theAgeClockStandsStillWhileTheSinkIsDownUnlessOutagesCount() {
        EndpointHealth health = new EndpointHealth(POLICY, 0);
        assertThat(health.ageClock(10 * SECOND)).isEqualTo(10 * SECOND);
        for (int i = 0; i < POLICY.downAfter(); i++) {
            health.retried(i % 2 == 0 ? A : B, "refused", 10 * SECOND, 10 * SECOND);
        }
        assertThat(health.ageClock(70 * SECOND)).as("an hour down would not count either").isEqualTo(10 * SECOND);
        health.delivered(70 * SECOND);
        assertThat(health.ageClock(75 * SECOND)).isEqualTo(15 * SECOND);

        EndpointHealth counting = new EndpointHealth(POLICY.withCountOutages(true), 0);
        for (int i = 0; i < POLICY.downAfter(); i++) {
            counting.retried(i % 2 == 0 ? A : B, "refused", 10 * SECOND, 10 * SECOND);
        }
        assertThat(counting.state(70 * SECOND)).isEqualTo(SinkState.DOWN);
        assertThat(counting.ageClock(70 * SECOND)).isEqualTo(70 * SECOND);
    }

    @Test
    void thePolicyRefusesWhatCannotWork() {
        assertThatThrownBy(() -> POLICY.withDownAfter(1))
                .hasMessage("downAfter must be at least 2, got 1");
        assertThatThrownBy(() -> POLICY.withProbes(Duration.ZERO, Duration.ofSeconds(1)))
                .hasMessage("probeMin must be positive, got PT0S");
        assertThatThrownBy(() -> POLICY.withProbes(Duration.ofSeconds(3), Duration.ofSeconds(2)))
                .hasMessage("probeMax (PT2S) must not be below probeMin (PT3S)");
    }
}
