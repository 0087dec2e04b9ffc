package dev.bridge.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LegacyFrameTest {

    private static final String ID = "0f8fad5b-d9cb-469f-a165-70867728950e";

    @Test
    void readsChunksAndTheEnd() {
        assertThat(LegacyFrame.read(ID + "0:{\"op\"")).isEqualTo(new LegacyFrame(ID, false, 0, 38));
        assertThat(LegacyFrame.read(ID + "1000:x")).isEqualTo(new LegacyFrame(ID, false, 1000, 41));
        assertThat(LegacyFrame.read(ID + "EOF")).isEqualTo(new LegacyFrame(ID, true, 0, 39));
    }

    @Test
    void anythingElseIsNotLegacy() {
        assertThat(LegacyFrame.read(ID + "EOF!")).isNull();
        assertThat(LegacyFrame.read(ID + ":x")).as("no label").isNull();
        assertThat(LegacyFrame.read(ID + "12345678901:x")).as("a label of 11 digits").isNull();
        assertThat(LegacyFrame.read(ID + "١٢:x")).as("digits that are not ASCII").isNull();
        assertThat(LegacyFrame.read(ID + "7")).as("too short").isNull();
        assertThat(LegacyFrame.read(ID + "12x:y")).isNull();
    }

    @Test
    void theLabelShiftIsLearntFromTheSecondChunk() {
        assertThat(LegacyFrame.read(ID + "1000:x").shiftAfter(999)).as("the original trigger's cut").isEqualTo(1);
        assertThat(LegacyFrame.read(ID + "999:x").shiftAfter(999)).as("a true offset").isEqualTo(0);
        assertThat(LegacyFrame.read(ID + "1500:x").shiftAfter(999)).isEqualTo(-1);
    }
}
