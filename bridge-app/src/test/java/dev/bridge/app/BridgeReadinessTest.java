package dev.bridge.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bridge.core.engine.SinkState;
import dev.bridge.core.engine.SinkStats;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BridgeReadinessTest {

    @Test
    void aSinksStateIsDescribedWithWhatWaitsAndHowFarBehindItIs() {
        SinkStats down = new SinkStats("hooks", 10, 4, 30, 0, 200, 4_096, 10_000, SinkState.DOWN, Instant.parse("2026-12-02T05:01:02.345Z"),
                Duration.ofMillis(130_250), 3_000, 0);
        assertThat(Bridge.describe(down))
                .isEqualTo("down since 2026-12-02T05:01:02Z; 200 change(s) waiting, the oldest for 2m10s; 3000 read past its checkpoint");
        SinkStats fine = new SinkStats("cache", 10, 10, 0, 0, 0, 0, 10_000, SinkState.DELIVERING, Instant.EPOCH, Duration.ZERO, 0, 7);
        assertThat(Bridge.describe(fine))
                .isEqualTo("delivering; 0 change(s) waiting; 0 read past its checkpoint; lost 7 to the change log's maximum retention");
        assertThat(Bridge.age(Duration.ofMillis(850))).isEqualTo("850ms");
        assertThat(Bridge.age(Duration.ofMillis(12_900))).isEqualTo("12s");
        assertThat(Bridge.age(Duration.ofMinutes(185))).isEqualTo("3h05m");
    }
}
