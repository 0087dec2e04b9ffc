package dev.bridge.sink.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GateTest {

    @Test
    void runsAtMostTheLimitAtOnceAndTheRestInTurn() {
        Gate gate = new Gate(2);
        List<Integer> ran = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int task = i;
            gate.submit(() -> ran.add(task));
        }

        assertThat(ran).containsExactly(0, 1);
        assertThat(gate.waiting()).isEqualTo(2);
        gate.release();
        assertThat(ran).containsExactly(0, 1, 2);
    }

    @Test
    void shrinkingKeepsThePermitForGoodButNeverTheLast() {
        Gate gate = new Gate(3);
        List<Integer> ran = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int task = i;
            gate.submit(() -> ran.add(task));
        }

        assertThat(gate.shrink()).isTrue();
        assertThat(gate.limit()).isEqualTo(2);
        assertThat(ran).containsExactly(0, 1, 2);
        gate.release();
        gate.release();
        assertThat(ran).containsExactly(0, 1, 2, 3, 4);
        assertThat(gate.shrink()).isTrue();
        assertThat(gate.shrink()).isFalse();
        assertThat(gate.limit()).isEqualTo(1);
    }
}
