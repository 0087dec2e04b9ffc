package dev.bridge.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ScaleOutPhasesTest {

    private static final long S = 1_000_000_000L;

    @Test
    void theBestStretchCountsTheMostArrivalsInTenSeconds() {
        // 10 arrivals a second for 20 s, then 30 a second for 5 s
        long[] arrivals = new long[200 + 150];
        for (int i = 0; i < 200; i++) {
            arrivals[i] = i * S / 10;
        }
        for (int i = 0; i < 150; i++) {
            arrivals[200 + i] = 20 * S + i * S / 30;
        }
        assertThat(ScaleOutPhases.peakRate(arrivals)).as("5 s at 30/s and 5 s at 10/s").isEqualTo(20.0);
        assertThat(ScaleOutPhases.peakRate(new long[] {5 * S})).isEqualTo(0.1);
        assertThat(ScaleOutPhases.peakRate(new long[0])).isZero();
    }
}
