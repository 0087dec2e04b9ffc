package dev.bridge.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DistributionTest {

    @Test
    void percentilesAreNearestRankValuesThatWereMeasured() {
        List<Long> values = new ArrayList<>();
        for (long v = 22; v >= 1; v--) {
            values.add(v * 10);
        }
        Distribution d = Distribution.of(values);
        assertThat(d.count()).isEqualTo(22);
        assertThat(d.min()).isEqualTo(10);
        assertThat(d.percentile(50)).as("the 11th of 22").isEqualTo(110);
        assertThat(d.percentile(90)).as("the 20th of 22: ceil(19.8)").isEqualTo(200);
        assertThat(d.percentile(99)).as("with fewer than 100 values, the largest").isEqualTo(220);
        assertThat(d.max()).isEqualTo(220);
        assertThat(d.describe()).isEqualTo("n 22, min 10, p50 110, p90 200, p99 220, max 220 ms");
    }

    @Test
    void oneValueIsEveryPercentileAndNoneIsSaid() {
        assertThat(Distribution.of(List.of(1_234L)).describe()).isEqualTo("n 1, min 1,234, p50 1,234, p90 1,234, p99 1,234, max 1,234 ms");
        assertThat(Distribution.of(List.of()).describe()).isEqualTo("n 0");
        assertThatThrownBy(() -> Distribution.of(List.of()).percentile(50)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Distribution.of(List.of(1L)).percentile(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
