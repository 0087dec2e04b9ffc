package dev.bridge.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

        assertThat(first.installedVersion()).isEqualTo(BridgeSchema.latestVersion()).isEqualTo(4);
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

        assertThat(upgraded.installedVersion()).isEqualTo(4);
        assertThat(captureFunctionSource(options)).contains("bridge_publish").doesNotContain("bridge_send");
        assertThat(TestPostgres.queryString(db, "SELECT prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                + " WHERE n.nspname = '" + options.schema() + "' AND p.proname = 'bridge_publish'"))
                .as("version 4's publish function: prompts, no frames in at-least-once mode").contains("bridge_listeners")
                .doesNotContain("\"ref\"");
        assertThat(TestPostgres.queryString(db, "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                + " WHERE n.nspname = '" + options.schema() + "' AND p.proname = 'bridge_send'")).isEqualTo("0");
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
