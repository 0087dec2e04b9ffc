package dev.bridge.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bridge.core.Change;
import dev.bridge.core.Checkpoint;
import dev.bridge.core.DeadLetter;
import dev.bridge.core.Json;
import dev.bridge.core.Op;
import dev.bridge.core.port.CheckpointStore;
import dev.bridge.core.port.DeadLetterStore;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class StoresIT {

    private static BridgePostgres bridge;

    @BeforeAll
    static void install() {
        bridge = TestPostgres.bridge(TestPostgres.freshOptions());
        bridge.schema().install();
    }

    @Test
    void deadLettersKeepTheWholeChangeAndPageBySink() {
        DeadLetterStore store = bridge.deadLetterStore();
        Change change = new Change(Op.UPDATE, "orders", "42", 3, Instant.now().truncatedTo(ChronoUnit.MICROS),
                Json.parse("{\"status\":\"paid\",\"note\":\"é😀\"}"), Json.parse("{\"status\":\"new\"}"), 77);

        DeadLetter first = store.add("billing", change, "400 Bad Request: unknown field", 1);
        store.add("audit", change, "gave up after 8 attempt(s): 503", 8);
        DeadLetter third = store.add("billing", change, "410 Gone", 1);

        assertThat(first.id()).isPositive();
        List<DeadLetter> billing = store.list("billing", 0, 10);
        assertThat(billing).extracting(DeadLetter::id).containsExactly(first.id(), third.id());
        assertThat(billing.get(0).change()).isEqualTo(change);
        assertThat(billing.get(0).reason()).isEqualTo("400 Bad Request: unknown field");
        assertThat(store.list(null, 0, 10)).hasSize(3);
        assertThat(store.list(null, first.id(), 1)).hasSize(1).extracting(DeadLetter::sink).containsExactly("audit");
        assertThat(store.remove(first.id())).isTrue();
        assertThat(store.remove(first.id())).isFalse();
        assertThat(store.list("billing", 0, 10)).extracting(DeadLetter::id).containsExactly(third.id());
        assertThatThrownBy(() -> store.list(null, 0, 0)).hasMessageContaining("limit");
    }

    @Test
    void pastTheMaximumRetentionTheLogIsPrunedAnywayAndTheConsumersThatHadNotReadItAreTold() throws Exception {
        PostgresOptions options = TestPostgres.freshOptions();
        BridgePostgres pg = TestPostgres.bridge(options);
        pg.schema().install();
        String s = options.schema();
        String table = "kept_" + s;
        TestPostgres.execute(TestPostgres.dataSource(), "CREATE TABLE " + table + " (id integer PRIMARY KEY)");
        pg.capture().add(table);
        CheckpointStore checkpoints = pg.checkpointStore();
        checkpoints.load("abandoned");
        String before = TestPostgres.queryString(TestPostgres.dataSource(), "SELECT pg_current_snapshot()::text");
        TestPostgres.execute(TestPostgres.dataSource(), "INSERT INTO " + table + " SELECT generate_series(1, 25)");
        String after = TestPostgres.queryString(TestPostgres.dataSource(), "SELECT pg_current_snapshot()::text");
        checkpoints.save("current", new Checkpoint(after));
        // Part way through a read: of the 25, those up to id 10 are handed over.
        String tenth = TestPostgres.queryString(TestPostgres.dataSource(), "SELECT seq FROM " + s + ".bridge_changes"
                + " WHERE change::jsonb ->> 'id' = '10'");
        checkpoints.save("midread", new Checkpoint(before + "/" + after + "/" + tenth));
        TestPostgres.execute(TestPostgres.dataSource(), "INSERT INTO " + table + " VALUES (26)");
        // Written two days ago, as far as pruning can tell.
        TestPostgres.execute(TestPostgres.dataSource(), "UPDATE " + s + ".bridge_changes SET created_at = now() - interval '2 days'");

        ChangeLog.Pruned kept;
        ChangeLog.Pruned pruned;
        try (java.sql.Connection c = TestPostgres.dataSource().getConnection()) {
            kept = new ChangeLog(options).prune(c, java.time.Duration.ofHours(1), java.time.Duration.ZERO);
            pruned = new ChangeLog(options).prune(c, java.time.Duration.ofHours(1), java.time.Duration.ofDays(1));
        }

        assertThat(kept.passed() + kept.forced()).as("without a maximum, nothing a consumer has not passed goes").isZero();
        assertThat(pruned.forced()).isEqualTo(26);
        assertThat(pruned.missed()).containsOnly(java.util.Map.entry("abandoned", 26L), java.util.Map.entry("current", 1L),
                java.util.Map.entry("midread", 16L));
        assertThat(TestPostgres.queryString(TestPostgres.dataSource(), "SELECT count(*) FROM " + s + ".bridge_changes")).isEqualTo("0");
        checkpoints.load("abandoned");
        assertThat(checkpoints.lost("abandoned")).isEqualTo(26);
        assertThat(pg.consumers().list()).filteredOn(k -> k.name().equals("abandoned")).singleElement()
                .satisfies(k -> assertThat(k.lostUntil()).isNotNull());
        assertThat(pg.consumers().drop("abandoned")).isTrue();
        assertThat(pg.consumers().list()).extracting(Consumers.Consumer::name).containsExactly("current", "midread");
    }

    @Test
    void checkpointsRegisterConsumersAndRefuseWhatIsNotASnapshot() {
        CheckpointStore checkpoints = bridge.checkpointStore();

        assertThat(checkpoints.load("alpha")).hasValue(new Checkpoint("1:1:"));
        checkpoints.save("alpha", new Checkpoint("800:805:801,803"));
        assertThat(checkpoints.load("alpha")).hasValue(new Checkpoint("800:805:801,803"));
        assertThatThrownBy(() -> checkpoints.save("alpha", new Checkpoint("805"))).hasMessageContaining("PostgreSQL snapshot");

        Consumers consumers = bridge.consumers();
        consumers.register("beta");
        assertThat(consumers.list()).extracting(Consumers.Consumer::name).contains("alpha", "beta");
        assertThat(consumers.reset("alpha")).isTrue();
        assertThat(checkpoints.load("alpha")).hasValue(new Checkpoint("1:1:"));
        assertThat(consumers.drop("beta")).isTrue();
        assertThat(consumers.drop("beta")).isFalse();
        assertThat(consumers.list()).extracting(Consumers.Consumer::name).doesNotContain("beta");
    }
}
