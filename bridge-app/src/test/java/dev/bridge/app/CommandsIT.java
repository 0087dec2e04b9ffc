package dev.bridge.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bridge.app.CliTest.Result;
import dev.bridge.core.Change;
import dev.bridge.core.Json;
import dev.bridge.core.Op;
import dev.bridge.postgres.BridgePostgres;
import dev.bridge.postgres.BridgeSchema;
import dev.bridge.postgres.ConnectionFactory;
import dev.bridge.postgres.PostgresOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The administration commands and the demo, in process, against a real PostgreSQL. */
class CommandsIT {

    private static EmbeddedPostgres pg;
    private static Map<String, String> env;
    private static BridgePostgres postgres;

    @TempDir
    Path dir;

    @BeforeAll
    static void startPostgres() throws IOException {
        pg = EmbeddedPostgres.builder().start();
        env = Map.of("DB_HOST", "127.0.0.1", "DB_PORT", String.valueOf(pg.getPort()), "DB_USER", "postgres", "DB_DATABASE", "postgres");
        postgres = BridgePostgres.create(pg.getPostgresDatabase(),
                ConnectionFactory.of("jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/postgres", "postgres", null), PostgresOptions.defaults());
    }

    @AfterAll
    static void stopPostgres() throws IOException {
        pg.close();
    }

    @Test
    void schemaStatusInstallAndCapture() throws SQLException {
        Result before = CliTest.run(env, "schema", "status");
        if (before.code() == Cli.FAILED) {
            assertThat(before.err()).contains("run `bridge schema install`");
        }
        Result install = CliTest.run(env, "schema", "install");
        assertThat(install.code()).as(install.err()).isZero();
        assertThat(install.out()).contains("schema bridge is at version " + BridgeSchema.latestVersion());
        sql("CREATE TABLE IF NOT EXISTS shop_orders (id int PRIMARY KEY, total numeric)", "CREATE TABLE IF NOT EXISTS no_key (x int)");

        assertThat(CliTest.run(env, "capture", "add", "shop_orders").code()).isZero();
        assertThat(CliTest.run(env, "capture", "list").out()).contains("shop_orders");
        Result status = CliTest.run(env, "schema", "status");
        assertThat(status.code()).isZero();
        assertThat(status.out()).contains("installed:       version " + BridgeSchema.latestVersion(), "shop_orders");
        Result noKey = CliTest.run(env, "capture", "add", "no_key");
        assertThat(noKey.code()).isEqualTo(Cli.FAILED);
        assertThat(noKey.err()).startsWith("bridge: ").contains("no_key").doesNotContain("\tat ");
        assertThat(CliTest.run(env, "capture", "remove", "shop_orders").code()).isZero();
        assertThat(CliTest.run(env, "capture", "list").out()).doesNotContain("shop_orders");
    }

    @Test
    void theOwnerInstallsAndCapturesTheDaemonRunsWithGrantsAndADbaGetsTheSql() throws SQLException {
        String suffix = "c" + ProcessHandle.current().pid();
        String owner = "owner_" + suffix;
        String daemon = "daemon_" + suffix;
        String app = "app_" + suffix;
        sql("CREATE ROLE " + owner + " LOGIN", "CREATE ROLE " + daemon + " LOGIN", "CREATE ROLE " + app + " LOGIN",
                "GRANT CREATE ON DATABASE postgres TO " + owner, "CREATE SCHEMA " + app + " AUTHORIZATION " + app,
                "GRANT USAGE ON SCHEMA " + app + " TO PUBLIC",
                "SET ROLE " + app, "CREATE TABLE " + app + ".orders (id int PRIMARY KEY)", "CREATE TABLE " + app + ".invoices (id int PRIMARY KEY)",
                "GRANT TRIGGER ON " + app + ".orders, " + app + ".invoices TO " + owner, "RESET ROLE");
        Map<String, String> asOwner = as(owner, suffix);
        Map<String, String> asDaemon = as(daemon, suffix);

        Result printed = CliTest.run(asOwner, "schema", "install", "--print-sql");
        assertThat(printed.code()).as(printed.err()).isZero();
        assertThat(printed.out()).contains("BEGIN;", "SET LOCAL lock_timeout = '3000ms'", "SECURITY DEFINER", "COMMIT;");
        assertThat(CliTest.run(asOwner, "schema", "status").out()).as("printing installs nothing").contains("installed:       no");
        assertThat(CliTest.run(asOwner, "schema", "install").code()).isZero();

        Result captureSql = CliTest.run(asOwner, "capture", "add", app + ".orders", "--print-sql");
        assertThat(captureSql.code()).as(captureSql.err()).isZero();
        assertThat(captureSql.out()).contains("CREATE TRIGGER bridge_capture AFTER INSERT OR UPDATE OR DELETE ON \"" + app + "\".\"orders\"");
        assertThat(CliTest.run(asOwner, "capture", "add", app + ".orders").code()).isZero();
        Result own = CliTest.run(asOwner, "capture", "add", suffix + ".bridge_changes");
        assertThat(own.code()).as("Bridge's own tables").isEqualTo(Cli.USAGE);
        assertThat(own.err()).contains("holds Bridge's own tables");
        assertThat(CliTest.run(asOwner, "capture", "add", "orders; DROP TABLE x").code()).as("not a name").isEqualTo(Cli.USAGE);

        assertThat(CliTest.run(asOwner, "schema", "grant", daemon, "--print-sql").out()).contains("GRANT SELECT, DELETE ON");
        Result granted = CliTest.run(asOwner, "schema", "grant", daemon);
        assertThat(granted.code()).as(granted.err()).isZero();

        Result status = CliTest.run(asDaemon, "schema", "status");
        assertThat(status.code()).as(status.err()).isZero();
        assertThat(status.out()).contains(app + ".orders");
        Result refused = CliTest.run(asDaemon, "capture", "add", app + ".invoices");
        assertThat(refused.code()).isEqualTo(Cli.FAILED);
        assertThat(refused.err()).contains("permission denied").contains("--print-sql").contains("docs/security.md");
    }

    private static Map<String, String> as(String role, String schema) {
        Map<String, String> variables = new java.util.HashMap<>(env);
        variables.put("DB_USER", role);
        variables.put("BRIDGE_POSTGRES_SCHEMA", schema);
        variables.put("BRIDGE_POSTGRES_CHANNEL", schema);
        return variables;
    }

    @Test
    void globalOptionsWorkBeforeOrAfterTheCommandAndEveryCommandNamesItsDatabase() throws IOException {
        Path file = dir.resolve("prod.conf");
        java.nio.file.Files.writeString(file, "bridge.postgres { host = \"127.0.0.1\", port = " + pg.getPort() + ", user = postgres }\n");
        for (String[] args : List.of(new String[] {"--config", file.toString(), "schema", "status"},
                new String[] {"schema", "status", "--config", file.toString()},
                new String[] {"--config=" + file, "--debug", "schema", "status"})) {
            Result result = CliTest.run(Map.of(), args);
            assertThat(result.code()).as(String.join(" ", args) + ": " + result.err()).isIn(Cli.OK, Cli.FAILED);
            assertThat(result.err()).contains("bridge: postgres at 127.0.0.1:" + pg.getPort() + "/postgres, schema bridge, as user postgres");
            assertThat(result.out()).contains("schema:          bridge");
        }
    }

    @Test
    void aMisspelledVariableIsReportedLikeAMisspelledKey() {
        Map<String, String> misspelled = new java.util.HashMap<>(env);
        misspelled.put("BRIDGE_POSTGRES_HOTS", "db.internal");
        Result result = CliTest.run(misspelled, "schema", "status");
        assertThat(result.code()).isEqualTo(Cli.INVALID_CONFIG);
        assertThat(result.err()).contains("bridge.postgres.hots (environment variable BRIDGE_POSTGRES_HOTS): is not a known setting"
                + " (did you mean host?)");
        misspelled.remove("BRIDGE_POSTGRES_HOTS");
        misspelled.put("BRIDGE_SINKS", "[]");
        assertThat(CliTest.run(misspelled, "schema", "status").err()).contains("BRIDGE_SINKS", "a list or a block");
        misspelled.remove("BRIDGE_SINKS");
        misspelled.put("BRIDGE_SINKS_0_TYPE", "console");
        assertThat(CliTest.run(misspelled, "schema", "status").err())
                .contains("bridge.sinks.0.type (environment variable BRIDGE_SINKS_0_TYPE): is inside the list bridge.sinks");
    }

    @Test
    void commandsThatNeedTheSchemaSaySoWhenItIsMissing() {
        Map<String, String> elsewhere = new java.util.HashMap<>(env);
        elsewhere.put("BRIDGE_POSTGRES_SCHEMA", "not_installed_here");
        for (String[] args : List.of(new String[] {"capture", "list"}, new String[] {"dead-letters", "list"},
                new String[] {"checkpoint", "show"})) {
            Result result = CliTest.run(elsewhere, args);
            assertThat(result.code()).as(String.join(" ", args)).isEqualTo(Cli.FAILED);
            assertThat(result.err()).contains("the Bridge schema not_installed_here is not installed in this database",
                    "run `bridge schema install` first").doesNotContain("SQLSTATE");
        }
    }

    @Test
    void framesThatOnlyAtMostOnceReadsAreAConfigurationErrorInAtLeastOnceMode() {
        Map<String, String> legacy = new java.util.HashMap<>(env);
        legacy.put("BRIDGE_POSTGRES_REASSEMBLY_LEGACY__FRAMES", "true");
        Result result = CliTest.run(legacy, "schema", "status");
        assertThat(result.code()).isEqualTo(Cli.INVALID_CONFIG);
        assertThat(result.err()).contains("bridge.postgres.reassembly.legacy-frames").contains("at-most-once mode only");
        legacy.put("BRIDGE_POSTGRES_MODE", "at-most-once");
        assertThat(CliTest.run(legacy, "schema", "status").code()).isNotEqualTo(Cli.INVALID_CONFIG);
    }

    @Test
    void statusShowsEachSinksPositionAndSaysWhenNoBridgeAnswers() throws java.io.IOException {
        CliTest.run(env, "schema", "install");
        postgres.consumers().register("bridge", "console");
        postgres.consumers().register("bridge", "retired");
        Map<String, String> quiet = new java.util.HashMap<>(env);
        quiet.put("BRIDGE_OPS_PORT", String.valueOf(EndToEndIT.freePort()));
        Result status = CliTest.run(quiet, "status");
        assertThat(status.code()).as("no bridge answers: %s", status.err()).isEqualTo(Cli.FAILED);
        assertThat(status.out()).contains("consumer bridge: no running bridge answers at http://127.0.0.1:" + quiet.get("BRIDGE_OPS_PORT"))
                .contains("sink console: state unknown; 0 logged change(s) not passed")
                .contains("sink retired: not configured, but its checkpoint holds the change log")
                .contains("bridge checkpoint drop --consumer 'bridge' --sink 'retired'");
        quiet.put("BRIDGE_OPS_ENABLED", "false");
        assertThat(CliTest.run(quiet, "status").out()).contains("the operations endpoint is off in this configuration");
        postgres.consumers().drop("bridge", java.util.Optional.empty());
    }

    @Test
    void checkpointsAreShownAndReset() {
        CliTest.run(env, "schema", "install");
        postgres.consumers().register("bridge", "console");
        postgres.consumers().register("bridge", "hooks");
        Result show = CliTest.run(env, "checkpoint", "show");
        assertThat(show.code()).isZero();
        assertThat(show.out()).contains("bridge  sink=console  checkpoint=").contains("bridge  sink=hooks  checkpoint=").contains("(this bridge)");
        Result one = CliTest.run(env, "checkpoint", "reset", "--sink", "hooks");
        assertThat(one.code()).as(one.err()).isZero();
        assertThat(one.out()).contains("sink hooks of consumer bridge will receive every retained change again");
        Result reset = CliTest.run(env, "checkpoint", "reset");
        assertThat(reset.code()).isZero();
        assertThat(reset.out()).contains("the 2 sink(s) of consumer bridge will receive every retained change again");
        Result noSink = CliTest.run(env, "checkpoint", "reset", "--sink", "nothing");
        assertThat(noSink.code()).isEqualTo(Cli.FAILED);
        assertThat(noSink.err()).contains("no sink nothing of a consumer named bridge");
        Result unknown = CliTest.run(env, "checkpoint", "reset", "--consumer", "nobody");
        assertThat(unknown.code()).isEqualTo(Cli.FAILED);
        assertThat(unknown.err()).contains("no consumer named nobody");

        postgres.consumers().register("abandoned", "a");
        postgres.consumers().register("abandoned", "b");
        Result oneDropped = CliTest.run(env, "checkpoint", "drop", "--consumer", "abandoned", "--sink", "a");
        assertThat(oneDropped.out()).as(oneDropped.err()).contains("sink a of consumer abandoned dropped");
        assertThat(CliTest.run(env, "checkpoint", "show").out()).contains("abandoned  sink=b").doesNotContain("abandoned  sink=a");
        assertThat(CliTest.run(env, "checkpoint", "drop").code()).as("which one must be said").isEqualTo(Cli.USAGE);
        Result dropped = CliTest.run(env, "checkpoint", "drop", "--consumer", "abandoned");
        assertThat(dropped.code()).as(dropped.err()).isZero();
        assertThat(dropped.out()).contains("consumer abandoned (1 sink(s)) dropped");
        assertThat(CliTest.run(env, "checkpoint", "show").out()).doesNotContain("abandoned");
        assertThat(CliTest.run(env, "checkpoint", "drop", "--consumer", "abandoned").code()).isEqualTo(Cli.FAILED);
    }

    @Test
    void deadLettersAreListedAndReplayedToTheirSink() throws IOException {
        CliTest.run(env, "schema", "install");
        Change change = new Change(Op.INSERT, "orders", "dl-1", 1, Instant.parse("2026-01-02T03:04:05Z"),
                Json.parse("{\"total\":1}"), null, 1);
        long kept = postgres.deadLetterStore().add("no-such-sink", change, "boom", 3).id();
        long replayable = postgres.deadLetterStore().add("console", change, "endpoint said 400", 1).id();

        Result list = CliTest.run(env, "dead-letters", "list");
        assertThat(list.code()).isZero();
        assertThat(list.err()).contains("2 dead letters");
        assertThat(CliTest.run(env, "dead-letters", "list", "--limit", "1").err()).contains("2 dead letters; the first 1 shown");
        assertThat(list.out()).contains("#" + replayable + " ", "sink=console", "INSERT orders/dl-1 v1", "endpoint said 400");

        String[] printed = new String[1];
        Result replay = withStdout(printed, () -> CliTest.run(env, "dead-letters", "replay"));
        assertThat(replay.code()).as("one letter's sink is not configured").isEqualTo(Cli.FAILED);
        assertThat(replay.out()).contains("#" + replayable + " replayed to console");
        assertThat(replay.err()).contains("#" + kept + " skipped: no sink named no-such-sink is configured", "1 replayed, 1 not");
        JsonNode line = new ObjectMapper().readTree(printed[0].strip());
        assertThat(line.get("id").asText()).isEqualTo("dl-1");
        assertThat(postgres.deadLetterStore().list(null, 0, 10)).extracting(l -> l.id()).containsExactly(kept);
        Result misnamed = CliTest.run(env, "dead-letters", "replay", "--sink", "consol");
        assertThat(misnamed.code()).isEqualTo(Cli.USAGE);
        assertThat(misnamed.err()).contains("no sink named consol is configured (configured: console)");
    }

    @Test
    void aMissingDatabaseIsNamed() {
        Map<String, String> wrong = new java.util.HashMap<>(env);
        wrong.put("DB_DATABASE", "no_such_db");
        Result result = CliTest.run(wrong, "schema", "status");
        assertThat(result.code()).isEqualTo(Cli.FAILED);
        assertThat(result.err()).contains("has no database 'no_such_db'; check bridge.postgres.database or DB_DATABASE");
    }

    @Test
    void aServerThatAsksForAPasswordWhenNoneIsSetIsToldAsSuch() throws Exception {
        // A server whose pg_hba.conf wants scram-sha-256 from every role but the one that sets it up.
        Path hba = dir.resolve("pg_hba.conf");
        java.nio.file.Files.writeString(hba, String.join("\n", "local all all trust", "host all postgres 127.0.0.1/32 trust",
                "host all postgres ::1/128 trust", "host all all 127.0.0.1/32 scram-sha-256", "host all all ::1/128 scram-sha-256", ""));
        try (EmbeddedPostgres strict = EmbeddedPostgres.builder().setServerConfig("hba_file", hba.toString()).start()) {
            try (var c = strict.getPostgresDatabase().getConnection(); var st = c.createStatement()) {
                st.execute("CREATE ROLE app LOGIN PASSWORD 'app-password'");
            }
            Map<String, String> noPassword = Map.of("DB_HOST", "127.0.0.1", "DB_PORT", String.valueOf(strict.getPort()), "DB_USER", "app",
                    "DB_DATABASE", "postgres");
            Result result = CliTest.run(noPassword, "schema", "status");
            assertThat(result.code()).isEqualTo(Cli.FAILED);
            assertThat(result.err()).contains("asks user 'app' for a password and none is set", "bridge.postgres.password", "DB_PASSWORD");
        }
    }

    @Test
    void theEmbeddedDatabaseIsUsedOnlyWhenAskedForAndKeepsItsDataAcrossRuns() {
        Map<String, String> embedded = Map.of("BRIDGE_POSTGRES_EMBEDDED_DATA__DIR", dir.resolve("pgdata").toString());
        Result unasked = CliTest.run(embedded, "schema", "install");
        assertThat(unasked.code()).isEqualTo(Cli.USAGE);
        assertThat(unasked.err()).contains("no database is configured", "--config FILE", "--embedded");
        assertThat(dir.resolve("pgdata")).doesNotExist();
        Result first = CliTest.run(embedded, "--embedded", "schema", "status");
        assertThat(first.out()).contains("installed:       no");
        assertThat(first.err()).contains("bridge: embedded postgres in " + dir.resolve("pgdata").toAbsolutePath());
        assertThat(CliTest.run(embedded, "schema", "install", "--embedded").code()).isZero();
        Result again = CliTest.run(embedded, "schema", "status", "--embedded");
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(again.out()).contains("installed:       version " + BridgeSchema.latestVersion());
    }

    @Test
    void theDemoDeliversEveryChangeIncludingOneSplitIntoFrames() throws IOException {
        String[] printed = new String[1];
        Result demo = withStdout(printed, () -> CliTest.run(Map.of("BRIDGE_OPS_ENABLED", "false"), "demo", "--changes", "8"));
        assertThat(demo.code()).as(demo.err()).isZero();
        List<JsonNode> changes = new ArrayList<>();
        for (String line : printed[0].split("\n")) {
            if (line.startsWith("{\"op\"")) {
                changes.add(new ObjectMapper().readTree(line));
            }
        }
        assertThat(changes).hasSize(8);
        assertThat(changes).filteredOn(c -> c.path("val").has("notes")).singleElement()
                .satisfies(c -> assertThat(c.get("val").get("notes").asText().getBytes(StandardCharsets.UTF_8)).hasSize(20_000));
        assertThat(demo.err()).contains("demo:   sink console: 8 delivered", "the 20000-byte change took 3 frames");
    }

    private static Result withStdout(String[] captured, Supplier<Result> action) {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            return action.get();
        } finally {
            System.setOut(original);
            captured[0] = out.toString(StandardCharsets.UTF_8);
        }
    }

    private static void sql(String... statements) throws SQLException {
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }
}
