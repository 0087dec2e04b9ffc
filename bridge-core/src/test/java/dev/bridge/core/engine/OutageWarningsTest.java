package dev.bridge.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The WARN lines of a flapping endpoint, on given times. */
class OutageWarningsTest {

    private static final long SECOND = 1_000_000_000L;
    private static final OutageWarnings.Down DOWN =
            new OutageWarnings.Down(5, "POST to endpoint failed: connection refused", 1_200, 93 * SECOND + 400_000_000L,
                    Duration.ofMillis(200), Duration.ofSeconds(2));
    private static final OutageWarnings.Back BACK = new OutageWarnings.Back(2_500_000_000L, 17, 1_200, 340);

    @Test
    void aGoingDownAndItsComingBackAreToldWithWhyAndHowMuchWaits() {
        OutageWarnings warnings = new OutageWarnings("hooks", 30 * SECOND);

        assertThat(warnings.wentDown(0, DOWN)).contains("sink hooks is DOWN: 5 attempts in a row, of more than one key, failed with"
                + " no delivery between (the last: POST to endpoint failed: connection refused); 1200 changes wait, the oldest"
                + " received 93s ago; sending nothing but a probe of one change every 200ms to 2s until one is delivered");
        assertThat(warnings.cameBack(BACK)).contains("sink hooks is delivering again after 2500ms down (17 failed attempts and"
                + " probes): sending the 1200 changes waiting now, the retries of 340 keys brought forward");
    }

    @Test
    void aFlappingEndpointGetsOnePairPer30SecondsAndTheNextLineCountsWhatWasLeftOut() {
        OutageWarnings warnings = new OutageWarnings("hooks", 30 * SECOND);
        assertThat(warnings.wentDown(0, DOWN)).isPresent();
        assertThat(warnings.cameBack(BACK)).isPresent();
        for (int s = 5; s < 30; s += 5) {
            assertThat(warnings.wentDown(s * SECOND, DOWN)).isEmpty();
            assertThat(warnings.cameBack(BACK)).isEmpty();
        }

        Optional<String> next = warnings.wentDown(30 * SECOND, DOWN);

        assertThat(next).hasValueSatisfying(line -> assertThat(line)
                .endsWith("(10 more goings down and comings back since the last such line were not logged)"));
        assertThat(warnings.cameBack(BACK)).hasValueSatisfying(line -> assertThat(line).doesNotContain("not logged"));
    }

    @Test
    void aGoingDownLeftOutIsToldOnceTheIntervalHasPassedIfTheSinkIsStillDown() {
        OutageWarnings warnings = new OutageWarnings("hooks", 30 * SECOND);
        warnings.wentDown(0, DOWN);
        warnings.cameBack(BACK);
        assertThat(warnings.wentDown(10 * SECOND, DOWN)).isEmpty();
        assertThat(warnings.stillDown(29 * SECOND, DOWN)).isEmpty();

        assertThat(warnings.stillDown(30 * SECOND, DOWN)).hasValueSatisfying(line -> assertThat(line).startsWith("sink hooks is DOWN")
                .doesNotContain("not logged"));
        assertThat(warnings.stillDown(90 * SECOND, DOWN)).as("told once").isEmpty();
        assertThat(warnings.cameBack(BACK)).as("its return is told too").isPresent();
    }
}
