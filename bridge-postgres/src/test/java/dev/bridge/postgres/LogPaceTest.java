package dev.bridge.postgres;

import static dev.bridge.postgres.LogPace.Switch.NONE;
import static dev.bridge.postgres.LogPace.Switch.TO_BUSY;
import static dev.bridge.postgres.LogPace.Switch.TO_IDLE;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LogPaceTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void staysIdleBelowAThousandChangesASecond() {
        LogPace pace = new LogPace(0);
        for (long t = 2; t <= 1_000; t += 2) {
            assertThat(pace.afterRead(1, 1, t * MS)).isEqualTo(NONE);
        }
        assertThat(pace.polling(1_000 * MS)).isFalse();
    }

    @Test
    void turnsBusyOnceAWindowSeesAThousandChangesASecondAndIdleBelowSevenHundred() {
        LogPace pace = new LogPace(0);
        long t = 0;
        LogPace.Switch last = NONE;
        while (last == NONE && t < 200) {
            t++;
            last = pace.afterRead(1, 1, t * MS);
        }
        assertThat(last).isEqualTo(TO_BUSY);
        assertThat(t).isEqualTo(50);
        assertThat(pace.polling(t * MS)).isTrue();

        // 800/s keeps it busy: between the two thresholds nothing changes.
        for (int i = 0; i < 300; i++) {
            t++;
            assertThat(pace.afterRead(i % 5 < 4 ? 1 : 0, 0, t * MS)).isEqualTo(NONE);
        }
        LogPace.Switch slow = NONE;
        while (slow == NONE) {
            t++;
            slow = pace.afterRead(t % 2 == 0 ? 1 : 0, 0, t * MS);
        }
        assertThat(slow).isEqualTo(TO_IDLE);
        assertThat(pace.busy()).isFalse();
    }

    @Test
    void aBacklogOrABurstOfPromptsTurnsItBusyAtOnce() {
        assertThat(new LogPace(0).afterRead(LogPace.BURST, 1, MS)).isEqualTo(TO_BUSY);
        assertThat(new LogPace(0).afterRead(1, LogPace.BURST, MS)).isEqualTo(TO_BUSY);
        assertThat(new LogPace(0).afterRead(LogPace.BURST - 1, LogPace.BURST - 1, MS)).isEqualTo(NONE);
    }

    @Test
    void keepsReadingQuicklyForAWhileAfterABusySpell() {
        LogPace pace = new LogPace(0);
        assertThat(pace.afterRead(LogPace.BURST, 0, MS)).isEqualTo(TO_BUSY);
        long end = MS + LogPace.WINDOW_NANOS;
        assertThat(pace.afterRead(0, 0, end)).isEqualTo(TO_IDLE);

        assertThat(pace.polling(end + LogPace.QUICK_NANOS - 1)).isTrue();
        assertThat(pace.polling(end + LogPace.QUICK_NANOS)).isFalse();
    }

    @Test
    void aLongQuietSpellDoesNotCountAsARate() {
        LogPace pace = new LogPace(0);
        assertThat(pace.afterRead(5, 1, 10_000 * MS)).as("5 changes in 10 s").isEqualTo(NONE);
        for (long t = 10_005; t < 10_050; t += 5) {
            assertThat(pace.afterRead(5, 1, t * MS)).isEqualTo(NONE);
        }
        assertThat(pace.afterRead(5, 1, 10_050 * MS)).as("50 changes in 50 ms").isEqualTo(TO_BUSY);
    }
}
