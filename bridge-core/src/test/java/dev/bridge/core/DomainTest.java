package dev.bridge.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DomainTest {

    private static final Instant TS = Instant.parse("2026-11-24T10:15:30Z");

    @Test
    void changesRejectBadFieldsNamingThem() {
        assertThatThrownBy(() -> new Change(Op.INSERT, "", "1", 0, TS, null, null, 0)).hasMessageContaining("bucket");
        assertThatThrownBy(() -> new Change(Op.INSERT, "b", "", 0, TS, null, null, 0)).hasMessageContaining("id");
        assertThatThrownBy(() -> new Change(Op.INSERT, "b", "1", -1, TS, null, null, 0)).hasMessageContaining("version must be >= 0, got -1");
        assertThatThrownBy(() -> new Change(Op.INSERT, "b", "1", 0, TS, null, null, -2)).hasMessageContaining("seq must be >= 0, got -2");
        assertThatThrownBy(() -> new Change(null, "b", "1", 0, TS, null, null, 0)).hasMessageContaining("op");
        assertThatThrownBy(() -> new Change(Op.INSERT, "b", "1", 0, null, null, null, 0)).hasMessageContaining("ts");
    }

    @Test
    void aChangeKnowsItsKey() {
        assertThat(new Change(Op.DELETE, "orders", "7", 3, TS, null, null, 1).key()).isEqualTo(new Key("orders", "7"));
    }

    @Test
    void jsonHoldsExactlyOneValue() {
        assertThat(Json.parse(" {\"a\" : 1} ").text()).isEqualTo(" {\"a\" : 1} ");
        assertThat(Json.parse("null").isNull()).isTrue();
        assertThat(Json.parse("{\"a\":null}").isNull()).isFalse();
        assertThatThrownBy(() -> Json.parse("{\"a\":")).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("not JSON");
        assertThatThrownBy(() -> Json.parse("1 2")).hasMessageContaining("continues after");
        assertThatThrownBy(() -> Json.parse("")).hasMessageContaining("empty");
        assertThat(Json.of(Map.of("k", List.of(1, "x"))).tree().get("k").get(1).asText()).isEqualTo("x");
    }

    @Test
    void appendsKnowTheirNewVersionAndRefuseNegativeOnes() {
        Json state = Json.parse("{}");
        assertThat(new Append(new Key("b", "1"), 4, 1, state, state).newVersion()).isEqualTo(5);
        assertThatThrownBy(() -> new Append(new Key("b", "1"), -1, 1, state, state)).hasMessageContaining("expectedVersion");
    }

    @Test
    void aVersionConflictSaysWhatToDo() {
        VersionConflictException e = new VersionConflictException(new Key("orders", "7"), 3, 5);
        assertThat(e).hasMessage("version conflict on orders/7: expected version 3 but it is 5; reload the object and retry");
        assertThat(e.actualVersion()).isEqualTo(5);
    }

    @Test
    void checkpointsAndGapsValidate() {
        assertThatThrownBy(() -> new Checkpoint(" ")).hasMessageContaining("blank");
        assertThatThrownBy(() -> new Gap(TS, TS.minusSeconds(1), "x")).hasMessageContaining("before it starts");
        assertThat(Op.parse("UPDATE")).isEqualTo(Op.UPDATE);
        assertThatThrownBy(() -> Op.parse("update")).hasMessageContaining("INSERT, UPDATE or DELETE");
    }
}
