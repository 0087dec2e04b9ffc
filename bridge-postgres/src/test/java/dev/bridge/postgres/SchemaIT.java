package dev.bridge.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

class SchemaIT {

    private final DataSource db = TestPostgres.dataSource();

    @Test
    void runsOnTheExpectedPostgresMajorVersion() {
        String expected = System.getProperty("bridge.test.postgres.major");
        int actual = TestPostgres.serverMajorVersion(db);
        assertThat(actual).isGreaterThanOrEqualTo(13);
        if (expected != null) {
            assertThat(actual).isEqualTo(Integer.parseInt(expected));
        }
    }

    @Test
    void installsEveryMigrationAndReRunningChangesNothing() {
        PostgresOptions options = TestPostgres.freshOptions();
        BridgeSchema schema = TestPostgres.bridge(options).schema();
        assertThat(schema.status().isInstalled()).isFalse();

        SchemaStatus first = schema.install();
        String history = history(options);
        SchemaStatus second = schema.install();

        assertThat(first.installedVersion()).isEqualTo(BridgeSchema.latestVersion()).isEqualTo(7);
        assertThat(first.isUpToDate()).isTrue();
        assertThat(second).isEqualTo(first);
        assertThat(history(options)).isEqualTo(history);
    }

    @Test
    void instancesInstallingAtOnceDoNotRace() throws Exception {
        PostgresOptions options = TestPostgres.freshOptions();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<SchemaStatus>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Callable<SchemaStatus> install = () -> TestPostgres.bridge(options).schema().install();
                results.add(pool.submit(install));
            }
            for (Future<SchemaStatus> result : results) {
                assertThat(result.get().isUpToDate()).isTrue();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(TestPostgres.queryString(db, "SELECT count(*) FROM " + options.schema() + ".bridge_schema_history")).isEqualTo(Integer.toString(BridgeSchema.latestVersion()));
    }

    @Test
    void anUpgradeReplacesAnOlderCaptureFunction() {
        PostgresOptions options = TestPostgres.freshOptions();
        BridgeSchema schema = TestPostgres.bridge(options).schema();
        assertThat(schema.install(2).installedVersion()).isEqualTo(2);
        assertThat(captureFunctionSource(options)).contains("bridge_send").doesNotContain("bridge_publish");

        SchemaStatus upgraded = schema.install();

        assertThat(upgraded.installedVersion()).isEqualTo(BridgeSchema.latestVersion());
        assertThat(captureFunctionSource(options)).contains("bridge_publish").doesNotContain("bridge_send");
        assertThat(TestPostgres.queryString(db, "SELECT prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                + " WHERE n.nspname = '" + options.schema() + "' AND p.proname = 'bridge_publish'"))
                .as("the publish function since version 4: prompts, no frames in at-least-once mode").contains("bridge_listeners")
                .doesNotContain("\"ref\"");
        assertThat(TestPostgres.queryString(db, "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                + " WHERE n.nspname = '" + options.schema() + "' AND p.proname = 'bridge_send'")).isEqualTo("0");
    }

    @Test
    void aPopulatedVersionFourSchemaUpgradesInPlaceLosingNoChangeNoCheckpointAndTouchingNoTable() throws Exception {
        PostgresOptions options = TestPostgres.freshOptions();
        BridgePostgres bridge = TestPostgres.bridge(options);
        String s = options.schema();
        String table = "public.upgrade_" + s;
        assertThat(bridge.schema().install(4).installedVersion()).isEqualTo(4);
        TestPostgres.execute(db, "CREATE TABLE " + table + " (id integer PRIMARY KEY, note text)");
        bridge.capture().add(table);
        TestPostgres.execute(db, "INSERT INTO " + table + " VALUES (1, 'before the checkpoint')");
        String checkpoint = TestPostgres.queryString(db, "SELECT pg_current_snapshot()::text");
        // As a Bridge of version 4 saved it.
        TestPostgres.execute(db, "INSERT INTO " + s + ".bridge_consumers (name, checkpoint) VALUES ('upgraded', '" + checkpoint + "')");
        TestPostgres.execute(db, "INSERT INTO " + table + " VALUES (2, 'pending'), (3, 'pending')");
        bridge.eventStore().append(new dev.bridge.core.Append(new dev.bridge.core.Key("orders", "9"), 0, 1,
                dev.bridge.core.Json.parse("{}"), dev.bridge.core.Json.parse("{\"n\":1}")));
        bridge.deadLetterStore().add("sink", dev.bridge.core.ChangeJson.read("{\"op\":\"INSERT\",\"bucket\":\"b\",\"id\":\"1\","
                + "\"version\":0,\"ts\":\"2026-12-01T00:00:00Z\",\"seq\":1,\"val\":{},\"old\":null}"), "kept", 3);
        String trigger = "SELECT oid FROM pg_trigger WHERE tgrelid = '" + table + "'::regclass AND tgname = 'bridge_capture'";
        String triggerBefore = TestPostgres.queryString(db, trigger);
        String logBefore = TestPostgres.queryString(db, "SELECT string_agg(seq || ':' || change, ',' ORDER BY seq) FROM " + s + ".bridge_changes");

        assertThat(bridge.schema().install().installedVersion()).isEqualTo(BridgeSchema.latestVersion());

        assertThat(TestPostgres.queryString(db, trigger)).as("the table's trigger was not touched").isEqualTo(triggerBefore);
        assertThat(TestPostgres.queryString(db, "SELECT string_agg(seq || ':' || change, ',' ORDER BY seq) FROM " + s + ".bridge_changes"))
                .isEqualTo(logBefore);
        assertThat(TestPostgres.queryString(db, "SELECT checkpoint FROM " + s + ".bridge_consumers WHERE name = 'upgraded'")).isEqualTo(checkpoint);
        assertThat(bridge.deadLetterStore().list("sink", 0, 10)).extracting(dev.bridge.core.DeadLetter::reason).containsExactly("kept");
        assertThat(TestPostgres.queryString(db, "SELECT bool_and(prosecdef) FROM pg_proc WHERE pronamespace = '" + s + "'::regnamespace"
                + " AND proname IN ('bridge_capture_table', 'bridge_capture_snaps')")).isEqualTo("t");

        // A writer with no grant on the schema, which version 4 would have refused, writes; the consumer resumes where it was.
        String writer = "upgrade_writer_" + s;
        TestPostgres.execute(db, "CREATE ROLE " + writer + " LOGIN");
        TestPostgres.execute(db, "GRANT INSERT ON " + table + " TO " + writer);
        TestPostgres.execute(TestPostgres.shared().getDatabase(writer, "postgres"), "INSERT INTO " + table + " VALUES (4, 'after')");
        RecordingHandler received = new RecordingHandler();
        try (PostgresListener listener = (PostgresListener) bridge.changeSource().subscribe(
                java.util.Optional.ofNullable(bridge.checkpointStore().load("upgraded", java.util.Set.of("s")).get("s")), received)) {
            assertThat(listener.awaitListening(Duration.ofSeconds(30))).isTrue();
            received.awaitChanges(4, Duration.ofSeconds(30));
        }
        assertThat(received.changes).extracting(c -> c.bucket() + "/" + c.id())
                .containsExactly(table + "/2", table + "/3", "orders/9", table + "/4");
    }

    @Test
    void aRoleGrantedTheDaemonsRightsBeforeVersionSevenGetsTheLeaseTablesWithTheUpgrade() {
        PostgresOptions options = TestPostgres.freshOptions();
        BridgePostgres bridge = TestPostgres.bridge(options);
        String s = options.schema();
        assertThat(bridge.schema().install(6).installedVersion()).isEqualTo(6);
        String role = "daemon_v6_" + s;
        TestPostgres.execute(db, "CREATE ROLE " + role + " LOGIN");
        // What `bridge schema grant` gave the daemon's role at version 6.
        TestPostgres.execute(db, "GRANT SELECT, INSERT, UPDATE, DELETE ON " + s + ".bridge_consumers, " + s + ".bridge_listeners TO " + role);

        bridge.schema().install();

        for (String table : java.util.List.of("bridge_leases", "bridge_members")) {
            assertThat(TestPostgres.queryString(db, "SELECT has_table_privilege('" + role + "', '" + s + "." + table + "', 'UPDATE')"))
                    .as("%s may update %s", role, table).isEqualTo("t");
        }
        assertThat(TestPostgres.queryString(db, "SELECT has_table_privilege('public', '" + s + ".bridge_leases', 'SELECT')")).isEqualTo("f");
    }

    private String captureFunctionSource(PostgresOptions options) {
        return TestPostgres.queryString(db, "SELECT prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                + " WHERE n.nspname = '" + options.schema() + "' AND p.proname = 'bridge_capture_snaps'");
    }

    @Test
    void refusesIdentifiersThatAreNotPlainNames() {
        for (String bad : new String[] {"", "1abc", "a-b", "bridge\"; DROP TABLE x; --", "a b", "x".repeat(64), "é"}) {
            assertThatThrownBy(() -> PostgresOptions.defaults().withSchema(bad))
                    .isInstanceOf(InvalidIdentifierException.class).hasMessageStartingWith("schema must be");
            assertThatThrownBy(() -> PostgresOptions.defaults().withChannel(bad))
                    .isInstanceOf(InvalidIdentifierException.class).hasMessageStartingWith("channel must be");
        }
        BridgePostgres bridge = TestPostgres.bridge(TestPostgres.freshOptions());
        bridge.schema().install();
        assertThatThrownBy(() -> bridge.capture().add("orders; DROP TABLE x"))
                .isInstanceOf(InvalidIdentifierException.class).hasMessageContaining("table");
        assertThatThrownBy(() -> bridge.capture().add("a.b.c")).isInstanceOf(InvalidIdentifierException.class);
    }

    @Test
    void refusesADatabaseThatIsNotUtf8() {
        TestPostgres.execute(db, "DROP DATABASE IF EXISTS latin1_db");
        TestPostgres.execute(db, "CREATE DATABASE latin1_db ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0");
        DataSource latin1 = TestPostgres.shared().getDatabase("postgres", "latin1_db");
        BridgeSchema schema = BridgePostgres.create(latin1, TestPostgres.listenerConnections(), TestPostgres.freshOptions()).schema();

        assertThatThrownBy(schema::install).isInstanceOf(PostgresException.class)
                .hasMessageContaining("encoding is LATIN1, Bridge needs UTF8");
        assertThat(schema.status().isInstalled()).isFalse();
    }

    private String history(PostgresOptions options) {
        return TestPostgres.queryString(db, "SELECT string_agg(version || ':' || checksum || ':' || installed_at, ',' ORDER BY version) FROM "
                + options.schema() + ".bridge_schema_history");
    }
}
