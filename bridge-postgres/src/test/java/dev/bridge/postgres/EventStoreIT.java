package dev.bridge.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bridge.core.Append;
import dev.bridge.core.Event;
import dev.bridge.core.Json;
import dev.bridge.core.Key;
import dev.bridge.core.Snapshot;
import dev.bridge.core.VersionConflictException;
import dev.bridge.core.port.EventStore;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EventStoreIT {

    private static final PostgresOptions OPTIONS = TestPostgres.freshOptions();
    private static EventStore store;

    @BeforeAll
    static void install() {
        BridgePostgres bridge = TestPostgres.bridge(OPTIONS);
        bridge.schema().install();
        store = bridge.eventStore();
    }

    @Test
    void appendsEventsAndKeepsTheLatestState() {
        Key key = new Key("orders", "a1");
        Snapshot v1 = store.append(new Append(key, 0, 1, Json.parse("{\"created\":true}"), Json.parse("{\"status\":\"new\"}")));
        Snapshot v2 = store.append(new Append(key, 1, 2, Json.parse("{\"paid\":10}"), Json.parse("{\"status\":\"paid\"}")));

        assertThat(v1.version()).isEqualTo(1);
        assertThat(v2.version()).isEqualTo(2);
        assertThat(store.load(key)).hasValueSatisfying(s -> {
            assertThat(s.version()).isEqualTo(2);
            assertThat(s.val().tree()).isEqualTo(Json.parse("{\"status\":\"paid\"}").tree());
        });
        List<Event> history = store.history(key);
        assertThat(history).extracting(Event::version).containsExactly(1L, 2L);
        assertThat(history).extracting(Event::type).containsExactly(1, 2);
        assertThat(history.get(1).val().tree()).isEqualTo(Json.parse("{\"paid\":10}").tree());
    }

    @Test
    void aStaleVersionIsAConflictAndWritesNothing() {
        Key key = new Key("orders", "c1");
        store.append(new Append(key, 0, 1, Json.parse("{}"), Json.parse("{\"n\":1}")));
        store.append(new Append(key, 1, 1, Json.parse("{}"), Json.parse("{\"n\":2}")));

        assertThatThrownBy(() -> store.append(new Append(key, 1, 1, Json.parse("{}"), Json.parse("{\"n\":3}"))))
                .isInstanceOfSatisfying(VersionConflictException.class, e -> {
                    assertThat(e.expectedVersion()).isEqualTo(1);
                    assertThat(e.actualVersion()).isEqualTo(2);
                });
        assertThatThrownBy(() -> store.append(new Append(key, 0, 1, Json.parse("{}"), Json.parse("{}"))))
                .isInstanceOf(VersionConflictException.class);
        assertThatThrownBy(() -> store.append(new Append(new Key("orders", "missing"), 3, 1, Json.parse("{}"), Json.parse("{}"))))
                .isInstanceOfSatisfying(VersionConflictException.class, e -> assertThat(e.actualVersion()).isZero());
        assertThat(store.load(key).orElseThrow().val().tree()).isEqualTo(Json.parse("{\"n\":2}").tree());
        assertThat(store.history(key)).hasSize(2);
    }

    @Test
    void appendAllIsAllOrNothing() {
        Key a = new Key("batch", "a");
        Key b = new Key("batch", "b");
        store.append(new Append(b, 0, 1, Json.parse("{}"), Json.parse("{}")));

        assertThatThrownBy(() -> store.appendAll(List.of(
                new Append(a, 0, 1, Json.parse("{}"), Json.parse("{}")),
                new Append(b, 0, 1, Json.parse("{}"), Json.parse("{}")))))
                .isInstanceOf(VersionConflictException.class);
        assertThat(store.load(a)).isEmpty();

        List<Snapshot> written = store.appendAll(List.of(
                new Append(a, 0, 1, Json.parse("{}"), Json.parse("{\"x\":1}")),
                new Append(b, 1, 1, Json.parse("{}"), Json.parse("{\"x\":2}"))));
        assertThat(written).extracting(Snapshot::version).containsExactly(1L, 2L);
    }

    @Test
    void deleteRemovesTheObjectWithOptimisticConcurrency() {
        Key key = new Key("orders", "d1");
        store.append(new Append(key, 0, 1, Json.parse("{}"), Json.parse("{}")));

        assertThatThrownBy(() -> store.delete(key, 5)).isInstanceOf(VersionConflictException.class);
        assertThatThrownBy(() -> store.delete(key, 0)).isInstanceOf(VersionConflictException.class);
        store.delete(key, 1);

        assertThat(store.load(key)).isEmpty();
        assertThat(store.history(key)).isEmpty();
        assertThat(store.append(new Append(key, 0, 1, Json.parse("{}"), Json.parse("{}"))).version()).isEqualTo(1);
    }
}
