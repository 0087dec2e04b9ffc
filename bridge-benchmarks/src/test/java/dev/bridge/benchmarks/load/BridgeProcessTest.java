package dev.bridge.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BridgeProcessTest {

    @Test
    void aRoleSaysHowManyPartitionsItsProcessLeads() {
        assertThat(BridgeProcess.partitionsLed("leader of partition 0 of 1 (member vm/123/ab12)")).isEqualTo(1);
        assertThat(BridgeProcess.partitionsLed("leader of partitions 0, 2, 4 of 6 (member vm/123/ab12)")).isEqualTo(3);
        assertThat(BridgeProcess.partitionsLed("standby (member vm/1/ab): 1 of 1 partition(s) led, partition 0 by vm/2/cd")).isZero();
        assertThat(BridgeProcess.partitionsLed("")).isZero();
        assertThat(BridgeProcess.standby("standby (member vm/1/ab): no partition has a leader yet")).isTrue();
    }
}
