package dev.bridge.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ChangeLogPositionTest {

    @Test
    void aPositionIsASnapshotOrOneWithAPlaceWithinARead() {
        ChangeLog.Position plain = ChangeLog.Position.parse("100:105:102");
        assertThat(plain.withinRead()).isFalse();
        assertThat(plain.toString()).isEqualTo("100:105:102");

        ChangeLog.Position within = ChangeLog.Position.parse("100:105:102/120:121:/5123");
        assertThat(within.withinRead()).isTrue();
        assertThat(within.from()).isEqualTo("100:105:102");
        assertThat(within.to()).isEqualTo("120:121:");
        assertThat(within.afterSeq()).isEqualTo(5123);
        assertThat(within.toString()).isEqualTo("100:105:102/120:121:/5123");
    }

    @Test
    void anythingElseIsRefusedWithWhatToDo() {
        for (String bad : new String[] {"", "x", "100:105:102/120:121:", "100:105:102/120:121:/x", "1:1:/2:2:/3/4", "1:1:/x/3"}) {
            assertThatThrownBy(() -> ChangeLog.Position.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("reset the consumer's checkpoint");
        }
    }
}
