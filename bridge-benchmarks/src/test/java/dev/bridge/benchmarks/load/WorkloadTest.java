package dev.bridge.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.BitSet;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WorkloadTest {

    @ParameterizedTest
    @CsvSource({"10, 0, 1, 0, 25", "10, 1, 3, 5, 40", "10000, 1, 4, 2000, 30000", "7, 0, 7, 1, 13"})
    void everyChangeHasItsOwnSlotAndIsFoundAgainByIdAndVersion(int ids, long start, int writers, int warmup, int measured) {
        Workload w = new Workload(ids, start, writers, warmup, measured);
        assertThat(w.total()).isEqualTo(warmup + measured);
        BitSet slots = new BitSet();
        Set<String> keys = new HashSet<>();
        int warm = 0;
        for (int k = 0; k < writers; k++) {
            for (int j = 0; j < w.changesOf(k); j++) {
                long slot = w.slot(k, j);
                assertThat(slots.get((int) slot)).as("slot %d used twice", slot).isFalse();
                slots.set((int) slot);
                assertThat(w.id(k, j) % writers).as("writer %d owns its ids", k).isEqualTo(k);
                assertThat(keys.add(w.id(k, j) + "@" + w.version(k, j))).isTrue();
                assertThat(w.slotOf(w.id(k, j), w.version(k, j))).isEqualTo(slot);
                assertThat(w.measured(slot)).isEqualTo(j >= w.warmupOf(k));
                warm += w.measured(slot) ? 0 : 1;
            }
        }
        assertThat(slots.cardinality()).isEqualTo((int) w.total());
        assertThat(warm).isEqualTo(warmup);
    }

    @Test
    void eachObjectGoesThroughConsecutiveVersionsAfterTheStartVersion() {
        Workload w = new Workload(5, 1, 2, 0, 23);
        // Writer 0 owns ids 0, 2, 4 and sends 12 changes: four rounds over its three ids.
        assertThat(w.changesOf(0)).isEqualTo(12);
        assertThat(w.id(0, 0)).isEqualTo(0);
        assertThat(w.version(0, 0)).isEqualTo(2);
        assertThat(w.id(0, 2)).isEqualTo(4);
        assertThat(w.id(0, 3)).isEqualTo(0);
        assertThat(w.version(0, 3)).isEqualTo(3);
        assertThat(w.version(0, 11)).isEqualTo(5);
        assertThat(new Workload(5, 0, 2, 0, 23).version(0, 0)).as("objects created by the first change").isEqualTo(1);
    }

    @Test
    void receiptsThatNoChangeMadeHaveNoSlot() {
        Workload w = new Workload(10, 1, 2, 0, 20);
        assertThat(w.slotOf(10, 2)).isEqualTo(-1);
        assertThat(w.slotOf(-1, 2)).isEqualTo(-1);
        assertThat(w.slotOf(3, 1)).as("the start version").isEqualTo(-1);
        assertThat(w.slotOf(3, 4)).isEqualTo(-1);
        assertThat(w.slotOf(3, 3)).isNotNegative();
    }

    @Test
    void refusesMoreWritersThanIds() {
        assertThatThrownBy(() -> new Workload(3, 0, 4, 0, 10)).hasMessageContaining("writers");
    }
}
