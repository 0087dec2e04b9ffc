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
    private static PostgresOptions options;

    @BeforeAll
    static void install() {
        options = TestPostgres.freshOptions();
        bridge = TestPostgres.bridge(options);
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
        checkpoints.load("abandoned", java.util.Set.of("s"));
        String before = TestPostgres.queryString(TestPostgres.dataSource(), "SELECT pg_current_snapshot()::text");
        TestPostgres.execute(TestPostgres.dataSource(), "INSERT INTO " + table + " SELECT generate_series(1, 25)");
        String after = TestPostgres.queryString(TestPostgres.dataSource(), "SELECT pg_current_snapshot()::text");
        checkpoints.save("current", "s", new Checkpoint(after));
        // Part way through a read: of the 25, those up to id 10 are handed over.
        String tenth = TestPostgres.queryString(TestPostgres.dataSource(), "SELECT seq FROM " + s + ".bridge_changes"
                + " WHERE change::jsonb ->> 'id' = '10'");
        checkpoints.save("midread", "s", new Checkpoint(before + "/" + after + "/" + tenth));
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
        assertThat(pruned.missed()).containsOnly(java.util.Map.entry(new ChangeLog.Reader("abandoned", "s"), 26L),
                java.util.Map.entry(new ChangeLog.Reader("current", "s"), 1L), java.util.Map.entry(new ChangeLog.Reader("midread", "s"), 16L));
        assertThat(TestPostgres.queryString(TestPostgres.dataSource(), "SELECT count(*) FROM " + s + ".bridge_changes")).isEqualTo("0");
        checkpoints.load("abandoned", java.util.Set.of("s"));
        assertThat(checkpoints.lost("abandoned", "s")).isEqualTo(26);
        assertThat(pg.consumers().list()).filteredOn(k -> k.name().equals("abandoned")).singleElement()
                .satisfies(k -> assertThat(k.lostUntil()).isNotNull());
        assertThat(pg.consumers().drop("abandoned", java.util.Optional.empty())).isEqualTo(1);
        assertThat(pg.consumers().list()).extracting(Consumers.Consumer::name).containsExactly("current", "midread");
    }

    @Test
    void eachSinkKeepsItsOwnCheckpointAndANewSinkStartsAtTheSlowestOne() {
        CheckpointStore checkpoints = bridge.checkpointStore();

        assertThat(checkpoints.load("alpha", java.util.Set.of("cache", "hooks")))
                .as("a new consumer's sinks start at the beginning of the log")
                .containsOnly(java.util.Map.entry("cache", new Checkpoint("1:1:")), java.util.Map.entry("hooks", new Checkpoint("1:1:")));
        checkpoints.save("alpha", "cache", new Checkpoint("900:905:901"));
        checkpoints.save("alpha", "hooks", new Checkpoint("800:805:801,803"));
        assertThat(checkpoints.load("alpha", java.util.Set.of("cache", "hooks", "search")))
                .as("a sink new to the consumer starts behind every other")
                .containsOnly(java.util.Map.entry("cache", new Checkpoint("900:905:901")),
                        java.util.Map.entry("hooks", new Checkpoint("800:805:801,803")),
                        java.util.Map.entry("search", new Checkpoint("800:800:")));
        assertThat(checkpoints.load("alpha", java.util.Set.of("cache"))).as("sinks no longer configured are still reported")
                .containsKeys("hooks", "search");
        assertThatThrownBy(() -> checkpoints.save("alpha", "cache", new Checkpoint("805"))).hasMessageContaining("PostgreSQL snapshot");
        assertThatThrownBy(() -> checkpoints.load("alpha", java.util.Set.of(""))).hasMessageContaining("must not be empty");

        Consumers consumers = bridge.consumers();
        consumers.register("beta", "cache");
        assertThat(consumers.list()).extracting(k -> k.name() + "/" + k.sink()).contains("alpha/cache", "alpha/hooks", "alpha/search", "beta/cache");
        assertThat(consumers.reset("alpha", java.util.Optional.of("cache"))).isEqualTo(1);
        assertThat(checkpoints.load("alpha", java.util.Set.of()).get("cache")).isEqualTo(new Checkpoint("1:1:"));
        assertThat(checkpoints.load("alpha", java.util.Set.of()).get("hooks")).as("the other sinks keep theirs")
                .isEqualTo(new Checkpoint("800:805:801,803"));
        assertThat(consumers.reset("alpha", java.util.Optional.empty())).isEqualTo(3);
        assertThatThrownBy(() -> consumers.register("alpha", "")).hasMessageContaining("must not be empty");
        assertThat(consumers.drop("alpha", java.util.Optional.of("search"))).isEqualTo(1);
        assertThat(consumers.drop("alpha", java.util.Optional.of("search"))).isZero();
        assertThat(consumers.drop("beta", java.util.Optional.empty())).isEqualTo(1);
        assertThat(consumers.list()).extracting(k -> k.name() + "/" + k.sink()).contains("alpha/cache", "alpha/hooks")
                .doesNotContain("alpha/search", "beta/cache");
    }

    @Test
    void theSinksOfAConsumerFromBeforePerSinkCheckpointsStartFromItsCheckpointWhichIsThenRetired() {
        TestPostgres.execute(TestPostgres.dataSource(), "INSERT INTO " + options.quotedSchema()
                + ".bridge_consumers (name, checkpoint) VALUES ('gamma', '700:702:')");
        CheckpointStore checkpoints = bridge.checkpointStore();

        assertThat(checkpoints.load("gamma", java.util.Set.of("cache", "hooks")))
                .containsOnly(java.util.Map.entry("cache", new Checkpoint("700:702:")), java.util.Map.entry("hooks", new Checkpoint("700:702:")));
        assertThat(bridge.consumers().list()).filteredOn(k -> k.name().equals("gamma")).extracting(Consumers.Consumer::sink)
                .as("the single checkpoint is gone once the sinks have theirs").containsExactly("cache", "hooks");
    }
}
