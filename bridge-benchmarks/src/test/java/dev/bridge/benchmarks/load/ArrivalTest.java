package dev.bridge.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.PrimitiveIterator;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ArrivalTest {

    @Test
    void parsesTheThreeForms() {
        assertThat(Arrival.parse("closed").closed()).isTrue();
        assertThat(Arrival.parse("rate:500")).isEqualTo(new Arrival(Arrival.Kind.UNIFORM, 500));
        assertThat(Arrival.parse("Poisson:2.5")).isEqualTo(new Arrival(Arrival.Kind.POISSON, 2.5));
        assertThat(Arrival.parse("poisson:2.5").label()).isEqualTo("poisson:2.5");
        assertThat(Arrival.parse("rate:1000").label()).isEqualTo("rate:1000");
        for (String bad : new String[] {"open", "rate:", "rate:0", "rate:-3", "poisson:x", "uniform:5"}) {
            assertThatThrownBy(() -> Arrival.parse(bad)).hasMessageContaining("closed, rate:R or poisson:R");
        }
    }

    @Test
    void uniformWritersTakeTurnsSoThatTogetherTheySendExactlyAtTheRate() {
        Arrival a = new Arrival(Arrival.Kind.UNIFORM, 1_000);
        TreeSet<Long> all = new TreeSet<>();
        for (int w = 0; w < 4; w++) {
            PrimitiveIterator.OfLong s = a.schedule(w, 4, 1);
            for (int i = 0; i < 250; i++) {
                all.add(s.nextLong());
            }
        }
        long expected = 0;
        for (long t : all) {
            assertThat(t).isEqualTo(expected);
            expected += 1_000_000;
        }
    }

    @Test
    void poissonGapsAreExponentialWithTheRateSplitOverTheWriters() {
        Arrival a = new Arrival(Arrival.Kind.POISSON, 2_000);
        PrimitiveIterator.OfLong s = a.schedule(1, 4, 7);
        int n = 100_000;
        double sum = 0;
        double sumSquares = 0;
        long previous = 0;
        for (int i = 0; i < n; i++) {
            long t = s.nextLong();
            double gap = t - previous;
            assertThat(gap).isNotNegative();
            sum += gap;
            sumSquares += gap * gap;
            previous = t;
        }
        double mean = sum / n;
        double sd = Math.sqrt(sumSquares / n - mean * mean);
        assertThat(mean).as("mean gap of one of 4 writers at 2000/s, ns").isCloseTo(2_000_000, within(40_000.0));
        assertThat(sd / mean).as("an exponential's coefficient of variation is 1").isCloseTo(1.0, within(0.03));
    }

    @Test
    void poissonSchedulesAreRepeatableAndDifferPerWriter() {
        Arrival a = new Arrival(Arrival.Kind.POISSON, 100);
        assertThat(a.schedule(0, 2, 5).nextLong()).isEqualTo(a.schedule(0, 2, 5).nextLong());
        assertThat(a.schedule(0, 2, 5).nextLong()).isNotEqualTo(a.schedule(1, 2, 5).nextLong());
    }

    @Test
    void aClosedLoopHasNoSchedule() {
        assertThatThrownBy(() -> Arrival.CLOSED.schedule(0, 1, 1)).isInstanceOf(IllegalStateException.class);
    }
}
