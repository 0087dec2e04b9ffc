package dev.bridge.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TimelineTest {

    private static final long S = 1_000_000_000L;
    private static final long MS = 1_000_000L;

    /** Pre-fill from 1 s, warm-up from 2 s, baseline from 3 s, outage from 5 s, the return at 7 s, the end at 9 s. */
    private final Phases phases = new Phases(1 * S, 2 * S, 3 * S, 5 * S, 7 * S, 9 * S);

    @Test
    void aChangeBelongsToThePhaseItWasSentIn() {
        assertThat(phases.of(1 * S)).isEqualTo(Phases.Phase.PREFILL);
        assertThat(phases.of(2 * S)).isEqualTo(Phases.Phase.WARMUP);
        assertThat(phases.of(5 * S - 1)).isEqualTo(Phases.Phase.BASELINE);
        assertThat(phases.of(5 * S)).isEqualTo(Phases.Phase.OUTAGE);
        assertThat(phases.of(7 * S)).isEqualTo(Phases.Phase.RECOVERY);
        assertThat(phases.of(9 * S)).isNull();
        assertThat(phases.of(S - 1)).isNull();
        assertThat(phases.seconds(Phases.Phase.OUTAGE)).isEqualTo(2.0);
        assertThatThrownBy(() -> new Phases(1, 2, 3, 5, 4, 9)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void countsAndTimesEachPhaseOnItsOwn() {
        Timeline t = new Timeline(
                new long[] {3 * S, 3 * S + 1, 4 * S, 5 * S, 6 * S, 0},
                new long[] {3 * S + 2 * MS, 3 * S + 4 * MS, 0, 8 * S, 8 * S + 500 * MS, 0});
        Map<Phases.Phase, Timeline.PhaseTally> byPhase = t.byPhase(phases);
        Timeline.PhaseTally baseline = byPhase.get(Phases.Phase.BASELINE);
        assertThat(baseline.sent).isEqualTo(3);
        assertThat(baseline.missing).isEqualTo(1);
        assertThat(baseline.latency.getTotalCount()).isEqualTo(2);
        assertThat(baseline.latency.getValueAtPercentile(50)).isBetween(1_995L, 2_005L);
        assertThat(baseline.latency.getMaxValue()).isBetween(3_995L, 4_005L);
        Timeline.PhaseTally outage = byPhase.get(Phases.Phase.OUTAGE);
        assertThat(outage.sent).isEqualTo(2);
        assertThat(outage.latency.getMaxValue()).as("µs").isBetween(2_999_000L, 3_001_000L);
        assertThat(byPhase.get(Phases.Phase.RECOVERY).sent).as("a slot never sent is in no phase").isZero();
        assertThat(t.lost()).isEqualTo(1);
    }

    @Test
    void theBacklogIsWhatWasSentBeforeTheReturnAndHadNotArrivedByThen() {
        Timeline t = new Timeline(
                new long[] {4 * S, 5 * S, 6 * S, 6 * S, 7 * S, 8 * S},
                new long[] {4 * S + MS, 7 * S + 500 * MS, 9 * S + 500 * MS, 0, 7 * S + 600 * MS, 8 * S + MS});
        CatchUp c = CatchUp.of(t, 7 * S);
        assertThat(c.backlog().count()).as("sent before 7 s, not in before it").isEqualTo(3);
        assertThat(c.backlog().missing()).isEqualTo(1);
        assertThat(c.startSeconds()).isEqualTo(0.5);
        assertThat(c.deliveredSeconds()).isEqualTo(2.5);
        assertThat(c.backlogRate()).as("two arrived, in 2 s").isEqualTo(1.0);
        assertThat(c.overallRate()).as("four first arrivals from 7.5 s to 9.5 s").isEqualTo(2.0);
    }

    @Test
    void aBacklogOfWhichNothingArrivedHasNoRate() {
        Timeline t = new Timeline(new long[] {6 * S}, new long[] {0});
        CatchUp c = CatchUp.of(t, 7 * S);
        assertThat(c.backlog().count()).isEqualTo(1);
        assertThat(c.startSeconds()).isNaN();
        assertThat(c.backlogRate()).isNaN();
    }
}
