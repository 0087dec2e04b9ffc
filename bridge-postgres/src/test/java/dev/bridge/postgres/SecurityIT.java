package dev.bridge.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bridge.core.Append;
import dev.bridge.core.Change;
import dev.bridge.core.Checkpoint;
import dev.bridge.core.Json;
import dev.bridge.core.Key;
import dev.bridge.core.Op;
import dev.bridge.core.UsageException;
import dev.bridge.core.protocol.RejectReason;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The trust model (docs/security.md) with real least-privilege roles, none a superuser: the owner
 * installs Bridge and owns its objects, the daemon reads and prunes the log with only the grants
 * `schema grant` gives it, and the application's writer owns its table and has no privilege at all
 * on Bridge's schema.
 */
class SecurityIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final AtomicInteger TABLES = new AtomicInteger();
    private static final DataSource SUPERUSER = TestPostgres.dataSource();
    private static final String SUFFIX = "s" + ProcessHandle.current().pid();
    private static final String OWNER = "owner_" + SUFFIX;
    private static final String DAEMON = "daemon_" + SUFFIX;
    private static final String WRITER = "app_" + SUFFIX;
    /** The writer's own schema, where it owns its tables. */
    private static final String APP = "app_" + SUFFIX;

    private static DataSource owner;
    private static DataSource daemon;
    private static DataSource writer;

    @BeforeAll
    static void roles() {
        for (String role : List.of(OWNER, DAEMON, WRITER)) {
            TestPostgres.execute(SUPERUSER, "CREATE ROLE " + role + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE");
        }
        TestPostgres.execute(SUPERUSER, "GRANT CREATE ON DATABASE postgres TO " + OWNER);
        TestPostgres.execute(SUPERUSER, "CREATE SCHEMA " + APP + " AUTHORIZATION " + WRITER);
        // The owner creates triggers there; the daemon gets nothing on the application's schema.
        TestPostgres.execute(SUPERUSER, "GRANT USAGE ON SCHEMA " + APP + " TO " + OWNER);
        // The owner finds the writer's tables by their plain names too, as an application's search_path would.
        TestPostgres.execute(SUPERUSER, "ALTER ROLE " + OWNER + " SET search_path = \"$user\", public, " + APP);
        owner = TestPostgres.shared().getDatabase(OWNER, "postgres");
        daemon = TestPostgres.shared().getDatabase(DAEMON, "postgres");
        writer = TestPostgres.shared().getDatabase(WRITER, "postgres");
    }

    @AfterAll
    static void dropEventTrigger() {
        TestPostgres.execute(SUPERUSER, "DROP EVENT TRIGGER IF EXISTS record_ddl_" + SUFFIX);
    }

    /** A Bridge schema installed by the owner, a table of the writer's captured in it, the daemon granted. */
    private record Setup(PostgresOptions options, String table, BridgePostgres asOwner, BridgePostgres asDaemon) {
    }

    private static Setup setup(DeliveryMode mode) {
        PostgresOptions options = TestPostgres.freshOptions().withMode(mode);
        String table = APP + ".orders" + TABLES.incrementAndGet();
        TestPostgres.execute(writer, "CREATE TABLE " + table + " (id integer PRIMARY KEY, status text NOT NULL)");
        TestPostgres.execute(writer, "GRANT TRIGGER ON " + table + " TO " + OWNER);
        BridgePostgres asOwner = BridgePostgres.create(owner, connections(OWNER), options);
        asOwner.schema().install();
        asOwner.capture().add(table);
        asOwner.schema().grant(BridgeSchema.Grantee.DAEMON, DAEMON);
        return new Setup(options, table, asOwner, BridgePostgres.create(daemon, connections(DAEMON), options));
    }

    private static ConnectionFactory connections(String role) {
        return ConnectionFactory.of("jdbc:postgresql://localhost:" + TestPostgres.shared().getPort() + "/postgres", role, null);
    }

    /** The SQLSTATE {@code sql} fails with, or "ok". */
    private static String attempt(DataSource as, String sql) {
        try (Connection c = as.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
            return "ok";
        } catch (SQLException e) {
            return e.getSQLState();
        }
    }

    @Test
    void aWriterWithoutAnyGrantWritesItsCapturedTableAndTheDaemonDeliversIt() throws Exception {
        Setup at = setup(DeliveryMode.AT_LEAST_ONCE);
        PostgresOptions pruning = at.options().withPruning(Duration.ZERO, Duration.ofMillis(200));
        BridgePostgres asDaemon = BridgePostgres.create(daemon, connections(DAEMON), pruning);
        RecordingHandler received = new RecordingHandler();
        assertThat(asDaemon.schema().install().installedVersion()).as("as the daemon: nothing to do").isEqualTo(BridgeSchema.latestVersion());
        Checkpoint start = asDaemon.checkpointStore().load("it-" + SUFFIX, java.util.Set.of("s")).get("s");
        assertThat(start).as("registered at the beginning of the log").isNotNull();
        try (PostgresListener listener = (PostgresListener) asDaemon.changeSource().subscribe(java.util.Optional.of(start), received)) {
            assertThat(listener.awaitListening(WAIT)).isTrue();
            TestPostgres.execute(writer, "INSERT INTO " + at.table() + " VALUES (1, 'new')");
            TestPostgres.execute(writer, "UPDATE " + at.table() + " SET status = 'paid' WHERE id = 1");
            TestPostgres.execute(writer, "DELETE FROM " + at.table() + " WHERE id = 1");

            List<Change> changes = received.awaitChanges(3, WAIT);
            assertThat(changes).extracting(Change::op).containsExactly(Op.INSERT, Op.UPDATE, Op.DELETE);
            assertThat(changes).allMatch(c -> c.bucket().equals(at.table()) && c.id().equals("1"));
            assertThat(changes.get(1).val().text()).contains("paid");
            // The daemon's own work: checkpoints, dead letters, consumers, and pruning the delivered log.
            asDaemon.checkpointStore().save("it-" + SUFFIX, "s", new Checkpoint(TestPostgres.queryString(SUPERUSER, "SELECT pg_current_snapshot()::text")));
            var letter = asDaemon.deadLetterStore().add("sink", changes.get(0), "test", 1);
            assertThat(asDaemon.deadLetterStore().list("sink", 0, 10)).hasSize(1);
            assertThat(asDaemon.deadLetterStore().remove(letter.id())).isTrue();
            assertThat(asDaemon.consumers().list()).extracting(Consumers.Consumer::name).contains("it-" + SUFFIX);
            RecordingHandler.awaitTrue(() -> "0".equals(TestPostgres.queryString(SUPERUSER, "SELECT count(*) FROM "
                    + at.options().schema() + ".bridge_changes")), WAIT, () -> "the daemon did not prune the log");
        }
    }

    @Test
    void signedFramesOfAWriterWithoutGrantsAreDeliveredAtMostOnce() throws Exception {
        Setup at = setup(DeliveryMode.AT_MOST_ONCE);
        RecordingHandler received = new RecordingHandler();
        try (PostgresListener listener = at.asDaemon().listen(received)) {
            assertThat(listener.awaitListening(WAIT)).isTrue();
            String big = "x".repeat(20_000);
            TestPostgres.execute(writer, "INSERT INTO " + at.table() + " VALUES (1, 'new'), (2, '" + big + "')");

            List<Change> changes = received.awaitChanges(2, WAIT);
            assertThat(changes).extracting(Change::id).containsExactly("1", "2");
            assertThat(changes.get(1).val().text()).contains(big);
            assertThat(listener.stats().reassembly().rejectedTotal()).isZero();
        }
    }

    /** A role that may not read the schema (the grant forgotten) connects fine and fails at its first read: it must back off. */
    @Test
    void aListenerWhoseRoleMayNotReadTheSchemaTriesAgainLaterAndLaterNotAtOnce() throws Exception {
        PostgresOptions options = TestPostgres.freshOptions();
        BridgePostgres.create(owner, connections(OWNER), options).schema().install();
        AtomicInteger opened = new AtomicInteger();
        ConnectionFactory ungranted = connections(WRITER);
        ConnectionFactory counting = () -> {
            opened.incrementAndGet();
            return ungranted.open();
        };
        List<Change> got = new java.util.concurrent.CopyOnWriteArrayList<>();
        PostgresListener listener = new PostgresChangeSource(counting, options).subscribe(java.util.Optional.empty(),
                new dev.bridge.core.port.ChangeHandler() {
                    @Override
                    public void onChange(Change change) {
                        got.add(change);
                    }
                });
        try {
            Thread.sleep(3_000);
        } finally {
            listener.close();
        }
        // Full jitter from 100 ms doubling: a handful of attempts in 3 s; at once after each failure, dozens.
        assertThat(opened.get()).as("connections opened in 3 s").isBetween(2, 15);
        assertThat(listener.stats().reconnects()).as("reconnects counted only for a connection that worked").isZero();
        assertThat(got).isEmpty();
    }

    @Test
    void twoDaemonsOfTheLeastPrivilegedRoleTakeTurnsAndOneEndsTheSessionOfAFrozenLeader() throws Exception {
        Setup at = setup(DeliveryMode.AT_LEAST_ONCE);
        List<dev.bridge.core.engine.DeliveryEngine> engines = new ArrayList<>();
        java.util.Queue<Change> received = new java.util.concurrent.ConcurrentLinkedQueue<>();
        try (FreezableProxy proxy = new FreezableProxy(TestPostgres.shared().getPort())) {
            ConnectionFactory viaProxy = ConnectionFactory.of("jdbc:postgresql://127.0.0.1:" + proxy.port() + "/postgres", DAEMON, null);
            dev.bridge.core.engine.DeliveryEngine a = daemonEngine(at, viaProxy, received);
            engines.add(a);
            a.start();
            RecordingHandler.awaitTrue(() -> a.leading().equals(java.util.Set.of(0)), WAIT, () -> "the first daemon does not lead");
            dev.bridge.core.engine.DeliveryEngine b = daemonEngine(at, connections(DAEMON), received);
            engines.add(b);
            b.start();
            TestPostgres.execute(writer, "INSERT INTO " + at.table() + " VALUES (1, 'before')");
            RecordingHandler.awaitTrue(() -> received.size() == 1, WAIT, () -> "nothing delivered");

            proxy.freezeCurrentConnections();
            RecordingHandler.awaitTrue(() -> b.leading().equals(java.util.Set.of(0)), WAIT, () -> "the second daemon did not take over");
            TestPostgres.execute(writer, "INSERT INTO " + at.table() + " VALUES (2, 'after')");
            RecordingHandler.awaitTrue(() -> received.stream().anyMatch(c -> c.id().equals("2")), WAIT, () -> "nothing delivered after");
            assertThat(TestPostgres.queryString(SUPERUSER, "SELECT usename FROM pg_stat_activity WHERE pid = (SELECT holder_pid FROM "
                    + at.options().schema() + ".bridge_leases WHERE consumer = 'turns')")).isEqualTo(DAEMON);
        } finally {
            engines.forEach(dev.bridge.core.engine.DeliveryEngine::stop);
        }
    }

    private static dev.bridge.core.engine.DeliveryEngine daemonEngine(Setup at, ConnectionFactory connections, java.util.Queue<Change> into) {
        BridgePostgres asDaemon = BridgePostgres.create(daemon, connections, at.options());
        return dev.bridge.core.engine.DeliveryEngine.builder("turns").source(asDaemon).sink(new dev.bridge.core.port.ChangeSink() {
            @Override
            public String name() {
                return "into";
            }

            @Override
            public void deliver(List<Change> batch, dev.bridge.core.port.Acknowledger acks) {
                for (Change c : batch) {
                    into.add(c);
                    acks.ack(c, dev.bridge.core.port.Ack.delivered());
                }
            }
        }).options(new dev.bridge.core.engine.EngineOptions(Duration.ofMillis(100), Duration.ofSeconds(5))).build();
    }

    @Test
    void aWriterCannotWriteReadOrCallAnythingOfBridges() {
        Setup at = setup(DeliveryMode.AT_LEAST_ONCE);
        String s = at.options().schema();
        String forged = "'{\"op\":\"INSERT\",\"bucket\":\"" + at.table() + "\",\"id\":\"9\",\"version\":0,\"ts\":\"2026-12-01T00:00:00Z\","
                + "\"seq\":999999999999,\"val\":{},\"old\":null}'";
        List<String> attempts = List.of(
                "INSERT INTO " + s + ".bridge_changes (seq, change) VALUES (999999999999, " + forged + ")",
                "UPDATE " + s + ".bridge_changes SET change = " + forged,
                "DELETE FROM " + s + ".bridge_changes",
                "SELECT * FROM " + s + ".bridge_changes",
                "INSERT INTO " + s + ".bridge_consumers (name, checkpoint) VALUES ('x', '1:1:')",
                "UPDATE " + s + ".bridge_consumers SET checkpoint = '1:1:'",
                "DELETE FROM " + s + ".bridge_consumers",
                "INSERT INTO " + s + ".bridge_dead_letters (sink, seq, change, reason, attempts) VALUES ('s', 1, " + forged + ", 'r', 1)",
                "DELETE FROM " + s + ".bridge_dead_letters",
                "UPDATE " + s + ".bridge_listeners SET prompts = false",
                "SELECT key FROM " + s + ".bridge_frame_keys",
                "SELECT nextval('" + s + ".bridge_change_seq')",
                "SELECT setval('" + s + ".bridge_change_seq', 1000000)",
                "SELECT " + s + ".bridge_publish('" + s + "', 7999, 'at-least-once', 0, 1, " + forged + ")",
                "SELECT " + s + ".bridge_change_json('INSERT', 'b', '1', 0, now(), 1, '{}', NULL)",
                "SELECT * FROM " + s + ".bridge_signed_frames('\\x00'::bytea, '\\x00'::bytea, 'a', 'b', 7999)",
                "CREATE TABLE " + APP + ".mine" + TABLES.incrementAndGet() + " (id int PRIMARY KEY);"
                        + " CREATE TRIGGER forge AFTER INSERT ON " + APP + ".mine" + TABLES.get() + " FOR EACH ROW EXECUTE FUNCTION "
                        + s + ".bridge_capture_table('" + s + "', '7999', 'at-least-once', '0', 'public.payroll', 'id')");
        for (String sql : attempts) {
            assertThat(attempt(writer, sql)).as(sql).isEqualTo("42501");
        }
        // A writer through the event store may use the schema, and still none of the rest.
        String eventWriter = "events_" + SUFFIX + "_" + TABLES.incrementAndGet();
        TestPostgres.execute(SUPERUSER, "CREATE ROLE " + eventWriter + " LOGIN NOSUPERUSER");
        at.asOwner().schema().grant(BridgeSchema.Grantee.EVENT_STORE, eventWriter);
        DataSource events = TestPostgres.shared().getDatabase(eventWriter, "postgres");
        assertThat(attempt(events, "SELECT count(*) FROM " + s + ".bridge_snaps")).isEqualTo("ok");
        for (String sql : attempts.subList(0, attempts.size() - 1)) {
            assertThat(attempt(events, sql)).as("as an event-store writer: " + sql).isEqualTo("42501");
        }
        assertThat(TestPostgres.queryString(SUPERUSER, "SELECT count(*) FROM " + s + ".bridge_changes")).isEqualTo("0");
        assertThat(TestPostgres.queryString(SUPERUSER, "SELECT string_agg(kind || ' ' || name, ', ') FROM ("
                + " SELECT 'relation' AS kind, c.relname::text AS name, c.relacl AS acl FROM pg_class c WHERE c.relnamespace = '" + s + "'::regnamespace"
                + " AND c.relkind IN ('r', 'p', 'S', 'v', 'm')"
                + " UNION ALL SELECT 'function', p.proname::text, p.proacl FROM pg_proc p WHERE p.pronamespace = '" + s + "'::regnamespace"
                + " UNION ALL SELECT 'schema', n.nspname::text, n.nspacl FROM pg_namespace n WHERE n.nspname = '" + s + "') o"
                + " WHERE o.acl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(o.acl) a WHERE a.grantee = 0)"))
                .as("objects of Bridge's that PUBLIC holds a privilege on (no ACL means the defaults, which grant functions to PUBLIC)")
                .isNull();
    }

    @Test
    void notificationsFromAnyoneDeliverNothingInEitherMode() throws Exception {
        Setup logged = setup(DeliveryMode.AT_LEAST_ONCE);
        Setup framed = setup(DeliveryMode.AT_MOST_ONCE);
        RecordingHandler fromLog = new RecordingHandler();
        RecordingHandler fromFrames = new RecordingHandler();
        try (PostgresListener a = logged.asDaemon().listen(fromLog); PostgresListener b = framed.asDaemon().listen(fromFrames);
                Connection spy = writer.getConnection()) {
            assertThat(a.awaitListening(WAIT)).isTrue();
            assertThat(b.awaitListening(WAIT)).isTrue();
            try (Statement st = spy.createStatement()) {
                st.execute("LISTEN " + framed.options().channel());
            }
            // A genuine change, whose signed frames the writer (like any role) can read and send again.
            TestPostgres.execute(writer, "INSERT INTO " + framed.table() + " VALUES (1, '" + "y".repeat(9_000) + "')");
            fromFrames.awaitChanges(1, WAIT);
            List<String> genuine = new ArrayList<>();
            RecordingHandler.awaitTrue(() -> {
                try {
                    PGNotification[] got = spy.unwrap(PGConnection.class).getNotifications(100);
                    if (got != null) {
                        for (PGNotification n : got) {
                            genuine.add(n.getParameter());
                        }
                    }
                    return genuine.size() >= 2;
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }, WAIT, () -> "the spy saw " + genuine.size() + " frames");

            String change = "{\"op\":\"INSERT\",\"bucket\":\"" + framed.table() + "\",\"id\":\"7\",\"version\":0,"
                    + "\"ts\":\"2026-12-01T00:00:00Z\",\"seq\":255,\"val\":{\"id\":7},\"old\":null}";
            List<String> forgedFrames = new ArrayList<>(List.of("", change, "B1=ff:" + change, "B2=ff:" + "0".repeat(32) + ":1:" + change));
            forgedFrames.addAll(genuine);
            for (String frame : forgedFrames) {
                notify(logged.options().channel(), frame);
                notify(framed.options().channel(), frame);
            }
            // A listener that starts later takes none of the messages committed before it listened either.
            RecordingHandler late = new RecordingHandler();
            try (PostgresListener c = framed.asDaemon().listen(late)) {
                assertThat(c.awaitListening(WAIT)).isTrue();
                genuine.forEach(frame -> notify(framed.options().channel(), frame));
                // Markers committed last: once they arrive, everything sent before has been read.
                TestPostgres.execute(writer, "INSERT INTO " + logged.table() + " VALUES (100, 'marker')");
                TestPostgres.execute(writer, "INSERT INTO " + framed.table() + " VALUES (100, 'marker')");
                fromLog.awaitChange(c2 -> c2.id().equals("100"), WAIT);
                fromFrames.awaitChange(c2 -> c2.id().equals("100"), WAIT);
                late.awaitChange(c2 -> c2.id().equals("100"), WAIT);
                assertThat(late.changes).extracting(Change::id).containsExactly("100");
                // Refused at its first frame (a message of several) or once complete (a message of one).
                assertThat(c.stats().replayedMessages() + c.stats().reassembly().rejected(RejectReason.REPLAYED))
                        .as("the genuine message sent again").isPositive();
            }

            assertThat(fromLog.changes).extracting(Change::id).containsExactly("100");
            assertThat(fromFrames.changes).extracting(Change::id).containsExactly("1", "100");
            ListenerStats stats = b.stats();
            assertThat(stats.reassembly().rejected(RejectReason.FOREIGN)).isEqualTo(2);
            assertThat(stats.reassembly().rejected(RejectReason.UNSIGNED)).isEqualTo(1);
            assertThat(stats.reassembly().rejected(RejectReason.FORGED)).isEqualTo(1);
            assertThat(stats.reassembly().rejected(RejectReason.REPLAYED)).as("each genuine frame, sent twice").isEqualTo(2L * genuine.size());
        }
    }

    private static void notify(String channel, String payload) {
        TestPostgres.execute(writer, "SELECT pg_notify('" + channel + "', '" + payload.replace("'", "''") + "')");
    }

    @Test
    void aLogRowWhoseChangeNamesAnotherSeqIsSkipped() throws Exception {
        Setup at = setup(DeliveryMode.AT_LEAST_ONCE);
        String s = at.options().schema();
        RecordingHandler received = new RecordingHandler();
        try (PostgresListener listener = at.asDaemon().listen(received)) {
            assertThat(listener.awaitListening(WAIT)).isTrue();
            // Only the owner can write the log by hand; it is the one way left to get such a row in.
            TestPostgres.execute(owner, "INSERT INTO " + s + ".bridge_changes (seq, change) SELECT nextval('" + s + ".bridge_change_seq'),"
                    + " '{\"op\":\"INSERT\",\"bucket\":\"b\",\"id\":\"forged\",\"version\":0,\"ts\":\"2026-12-01T00:00:00Z\","
                    + "\"seq\":999999999999,\"val\":{},\"old\":null}'");
            TestPostgres.execute(writer, "INSERT INTO " + at.table() + " VALUES (1, 'real')");

            received.awaitChange(c -> c.id().equals("1"), WAIT);
            assertThat(received.changes).extracting(Change::id).containsExactly("1");
            assertThat(listener.stats().rejectedLogRows()).isEqualTo(1);
        }
    }

    @Test
    void startUpAsTheDaemonWithCurrentTriggersRunsNoDdlAndWaitsForNoLock() throws Exception {
        Setup at = setup(DeliveryMode.AT_LEAST_ONCE);
        String log = "public.ddl_seen_" + SUFFIX;
        TestPostgres.execute(SUPERUSER, "CREATE TABLE IF NOT EXISTS " + log + " (role text, tag text)");
        TestPostgres.execute(SUPERUSER, "CREATE OR REPLACE FUNCTION public.record_ddl_" + SUFFIX + "() RETURNS event_trigger"
                + " LANGUAGE plpgsql SECURITY DEFINER AS $$ BEGIN INSERT INTO " + log + " VALUES (session_user, tg_tag); END $$");
        TestPostgres.execute(SUPERUSER, "DROP EVENT TRIGGER IF EXISTS record_ddl_" + SUFFIX);
        TestPostgres.execute(SUPERUSER, "CREATE EVENT TRIGGER record_ddl_" + SUFFIX + " ON ddl_command_start EXECUTE FUNCTION public.record_ddl_"
                + SUFFIX + "()");
        TestPostgres.execute(writer, "CREATE TABLE " + APP + ".probe" + TABLES.incrementAndGet() + " (id integer)");
        try (Connection holder = writer.getConnection()) {
            holder.setAutoCommit(false);
            try (Statement st = holder.createStatement()) {
                st.execute("LOCK TABLE " + at.table() + " IN ACCESS EXCLUSIVE MODE");
            }
            RecordingHandler received = new RecordingHandler();
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                SchemaStatus status = at.asDaemon().schema().install();
                assertThat(status.isUpToDate()).isTrue();
                assertThat(status.problems()).isEmpty();
                assertThat(at.asDaemon().capture().list()).containsExactly(at.table());
                try (PostgresListener listener = at.asDaemon().listen(received)) {
                    assertThat(listener.awaitListening(WAIT)).isTrue();
                }
            }, "start-up waited on the lock the application holds");
            holder.rollback();
        } finally {
            TestPostgres.execute(SUPERUSER, "DROP EVENT TRIGGER IF EXISTS record_ddl_" + SUFFIX);
        }
        assertThat(TestPostgres.queryString(SUPERUSER, "SELECT string_agg(tag, ', ') FROM " + log + " WHERE role = '" + DAEMON + "'")).isNull();
        assertThat(TestPostgres.queryString(SUPERUSER, "SELECT string_agg(tag, ', ') FROM " + log + " WHERE role = '" + WRITER + "'"))
                .as("the recorder works").isEqualTo("CREATE TABLE");
    }

    @Test
    void ddlOnAUserTableGivesUpAfterTheLockTimeoutAndSaysWhoHoldsTheLock() throws Exception {
        Setup at = setup(DeliveryMode.AT_LEAST_ONCE);
        PostgresOptions options = at.options().withLockTimeout(Duration.ofMillis(500));
        // The table's owner dropped the trigger: the next install creates it again, which needs a lock on the table.
        TestPostgres.execute(writer, "DROP TRIGGER bridge_capture ON " + at.table());
        assertThat(BridgePostgres.create(daemon, connections(DAEMON), options).schema().install().problems())
                .as("the daemon may not create triggers: it says so and goes on").anyMatch(p -> p.contains("missing"));
        assertThatThrownBy(() -> BridgePostgres.create(daemon, connections(DAEMON), options.withChannel("moved_" + SUFFIX)).schema()
                .install()).as("nor change them").isInstanceOf(PostgresException.class)
                .hasMessageContaining("needs changes this role may not make").hasMessageContaining("--print-sql");
        try (Connection busy = writer.getConnection()) {
            busy.setAutoCommit(false);
            try (Statement st = busy.createStatement()) {
                st.execute("SET application_name = 'checkout'");
                st.execute("INSERT INTO " + at.table() + " VALUES (1, 'open')");
            }
            long started = System.nanoTime();
            assertThatThrownBy(() -> BridgePostgres.create(owner, connections(OWNER), options).schema().install())
                    .isInstanceOf(PostgresException.class)
                    .hasMessageContaining("could not lock " + at.table() + " within 500 ms to create the capture trigger")
                    .hasMessageContaining("held by pid").hasMessageContaining("user " + WRITER)
                    .hasMessageContaining("application 'checkout'").hasMessageContaining("RowExclusiveLock")
                    .hasMessageContaining("bridge.postgres.lock-timeout");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("gave up instead of queueing").isLessThan(Duration.ofSeconds(20));
            busy.commit();
        }
        assertThat(BridgePostgres.create(owner, connections(OWNER), options).schema().install().problems()).isEmpty();
        assertThat(TestPostgres.queryString(SUPERUSER, "SELECT count(*) FROM pg_trigger WHERE tgrelid = '" + at.table()
                + "'::regclass AND tgname = 'bridge_capture'")).isEqualTo("1");
    }

    @Test
    void aSessionThatKeepsBridgesInstallLockIsNamedInsteadOfWaitedForForEver() throws Exception {
        Setup at = setup(DeliveryMode.AT_LEAST_ONCE);
        TestPostgres.execute(writer, "DROP TRIGGER bridge_capture ON " + at.table());
        try (Connection squatter = writer.getConnection()) {
            try (Statement st = squatter.createStatement()) {
                st.execute("SET application_name = 'squatter'");
                st.execute("SELECT pg_advisory_lock(" + Ddl.LOCK_NAMESPACE + ", hashtext('" + at.options().schema() + "'))");
            }
            assertThatThrownBy(() -> BridgePostgres.create(owner, connections(OWNER), at.options().withLockTimeout(Duration.ofMillis(100)))
                    .schema().install()).isInstanceOf(PostgresException.class)
                    .hasMessageContaining("could not take Bridge's install lock for schema " + at.options().schema() + " within 1 s")
                    .hasMessageContaining("user " + WRITER).hasMessageContaining("application 'squatter'");
        }
        assertThat(at.asOwner().schema().install().problems()).isEmpty();
    }

    @Test
    void changedTriggerArgumentsNeedOnlyTheTriggerPrivilegeFromPostgres14() {
        Setup at = setup(DeliveryMode.AT_LEAST_ONCE);
        BridgePostgres updater = BridgePostgres.create(owner, connections(OWNER), at.options().withMaxFrameBytes(4000));
        if (TestPostgres.serverMajorVersion(SUPERUSER) < 14) {
            // PostgreSQL 13 has no CREATE OR REPLACE TRIGGER: replacing one needs the table's owner, who may drop it first.
            assertThatThrownBy(() -> updater.schema().install()).isInstanceOf(PostgresException.class)
                    .hasMessageContaining("needs changes this role may not make").hasMessageContaining("must be owner");
            TestPostgres.execute(writer, "DROP TRIGGER bridge_capture ON " + at.table());
        }
        assertThat(updater.schema().install().problems()).isEmpty();
        assertThat(TestPostgres.queryString(SUPERUSER, "SELECT encode(tgargs, 'escape') FROM pg_trigger WHERE tgrelid = '" + at.table()
                + "'::regclass AND tgname = 'bridge_capture'")).contains("4000");
    }

    @Test
    void bridgesOwnSchemasAndSystemCatalogsCannotBeCaptured() {
        Setup at = setup(DeliveryMode.AT_LEAST_ONCE);
        Setup other = setup(DeliveryMode.AT_LEAST_ONCE);
        for (String table : List.of(at.options().schema() + ".bridge_changes", at.options().schema() + ".bridge_snaps",
                other.options().schema() + ".bridge_changes", "pg_catalog.pg_class", "information_schema.tables")) {
            assertThatThrownBy(() -> at.asOwner().capture().add(table)).as(table).isInstanceOf(UsageException.class);
        }
        assertThatThrownBy(() -> at.asOwner().capture().add(at.table().substring(at.table().indexOf('.') + 1)))
                .as("a captured table under another name").isInstanceOf(UsageException.class).hasMessageContaining("already captured as");
        assertThat(at.asOwner().capture().list()).containsExactly(at.table());
    }

    @Test
    void noCastOfAWritersTypeRunsInTheCaptureFunctionItsValuesGoAsText() throws Exception {
        Setup at = setup(DeliveryMode.AT_LEAST_ONCE);
        int n = TABLES.incrementAndGet();
        String type = APP + ".mood" + n;
        TestPostgres.execute(writer, "CREATE TYPE " + type + " AS ENUM ('ok', 'bad')");
        TestPostgres.execute(writer, "CREATE DOMAIN " + APP + ".qty" + n + " AS integer CHECK (VALUE > 0)");
        // Were it run, with the owner's rights, it would read the frame key; it fails loudly instead, so that running shows.
        TestPostgres.execute(writer, "CREATE FUNCTION " + APP + ".mood_json" + n + "(" + type + ") RETURNS json LANGUAGE plpgsql"
                + " AS $$ BEGIN RAISE EXCEPTION 'the cast ran as %', current_user; END $$");
        TestPostgres.execute(writer, "CREATE CAST (" + type + " AS json) WITH FUNCTION " + APP + ".mood_json" + n + "(" + type + ")");
        String table = APP + ".moods" + n;
        TestPostgres.execute(writer, "CREATE TABLE " + table + " (id integer PRIMARY KEY, m " + type + ", ms " + type + "[], q "
                + APP + ".qty" + n + ", note text)");
        TestPostgres.execute(writer, "GRANT TRIGGER ON " + table + " TO " + OWNER);
        at.asOwner().capture().add(table);
        // Added to a table already captured, too.
        TestPostgres.execute(writer, "ALTER TABLE " + at.table() + " ADD COLUMN m " + type);

        TestPostgres.execute(writer, "INSERT INTO " + table + " VALUES (1, 'bad', ARRAY['ok', 'bad']::" + type + "[], 7, 'n')");
        TestPostgres.execute(writer, "INSERT INTO " + at.table() + " VALUES (1, 'new', 'ok')");
        assertThatThrownBy(() -> TestPostgres.queryString(writer, "SELECT to_jsonb('ok'::" + type + ")")).as("the cast is live")
                .rootCause().hasMessageStartingWith("ERROR: the cast ran as " + WRITER);
        String s = at.options().schema();
        assertThat(TestPostgres.queryString(SUPERUSER, "SELECT change::jsonb -> 'val' FROM " + s + ".bridge_changes WHERE change::jsonb"
                + " ->> 'bucket' = '" + table + "'")).isEqualTo("{\"m\": \"bad\", \"q\": 7, \"id\": 1, \"ms\": \"{ok,bad}\", \"note\": \"n\"}");
        assertThat(TestPostgres.queryString(SUPERUSER, "SELECT change::jsonb -> 'val' ->> 'm' FROM " + s + ".bridge_changes WHERE"
                + " change::jsonb ->> 'bucket' = '" + at.table() + "'")).isEqualTo("ok");
    }

    @Test
    void theEventStoreCannotWriteUnderTheBucketOfACapturedTable() {
        Setup at = setup(DeliveryMode.AT_LEAST_ONCE);
        assertThatThrownBy(() -> at.asOwner().eventStore().append(new Append(new Key(at.table(), "1"), 0, 1, Json.parse("{}"),
                Json.parse("{\"salary\":999999}")))).isInstanceOf(PostgresException.class).hasMessageContaining("bucket of a captured table");
    }

    @Test
    void aTriggerItsTablesOwnerDroppedIsReportedAndHoldsBackNoOtherTable() {
        Setup at = setup(DeliveryMode.AT_LEAST_ONCE);
        String other = APP + ".others" + TABLES.incrementAndGet();
        TestPostgres.execute(writer, "CREATE TABLE " + other + " (id integer PRIMARY KEY)");
        TestPostgres.execute(writer, "GRANT TRIGGER ON " + other + " TO " + OWNER);
        at.asOwner().capture().add(other);
        TestPostgres.execute(writer, "DROP TRIGGER bridge_capture ON " + at.table());

        assertThat(at.asDaemon().schema().status().problems()).anyMatch(p -> p.contains(at.table()) && p.contains("missing"));
        SchemaStatus asDaemon = at.asDaemon().schema().install();
        assertThat(asDaemon.problems()).anyMatch(p -> p.contains(at.table()) && p.contains("missing"));
        TestPostgres.execute(writer, "INSERT INTO " + other + " VALUES (1)");
        assertThat(TestPostgres.queryString(SUPERUSER, "SELECT count(*) FROM " + at.options().schema() + ".bridge_changes"))
                .as("the other table is still captured").isEqualTo("1");

        assertThat(at.asOwner().schema().install().problems()).noneMatch(p -> p.contains("missing"));
        assertThat(TestPostgres.queryString(SUPERUSER, "SELECT count(*) FROM pg_trigger WHERE tgrelid = '" + at.table()
                + "'::regclass AND tgname = 'bridge_capture'")).isEqualTo("1");
    }

    @Test
    void aDisabledTriggerIsReportedAndLeftAsItsOwnerSetIt() {
        Setup at = setup(DeliveryMode.AT_LEAST_ONCE);
        TestPostgres.execute(writer, "ALTER TABLE " + at.table() + " DISABLE TRIGGER bridge_capture");
        SchemaStatus status = at.asOwner().schema().install();
        assertThat(status.problems()).anyMatch(p -> p.contains("disabled") && p.contains("ENABLE TRIGGER"));
        assertThat(TestPostgres.queryString(SUPERUSER, "SELECT tgenabled FROM pg_trigger WHERE tgrelid = '" + at.table()
                + "'::regclass AND tgname = 'bridge_capture'")).isEqualTo("D");
    }

    @Test
    void theDbaScriptsInstallCaptureAndGrantExactlyWhatTheCommandsDo() throws Exception {
        PostgresOptions options = TestPostgres.freshOptions();
        BridgePostgres asOwner = BridgePostgres.create(owner, connections(OWNER), options);
        String install = asOwner.schema().installSql();
        assertThat(install).contains("BEGIN;", "SET LOCAL lock_timeout", "V5__trust.sql", "COMMIT;");
        assertThat(asOwner.schema().status().isInstalled()).as("printing changes nothing").isFalse();
        runScript(owner, install);
        assertThat(asOwner.schema().status().isUpToDate()).isTrue();
        assertThat(asOwner.schema().installSql()).contains("nothing to do");

        String table = APP + ".scripted" + TABLES.incrementAndGet();
        TestPostgres.execute(writer, "CREATE TABLE " + table + " (id integer PRIMARY KEY)");
        TestPostgres.execute(writer, "GRANT TRIGGER ON " + table + " TO " + OWNER);
        runScript(owner, asOwner.capture().addSql(table));
        runScript(owner, asOwner.schema().grantSql(BridgeSchema.Grantee.DAEMON, DAEMON));
        assertThat(asOwner.capture().list()).containsExactly(table);
        assertThat(asOwner.capture().addSql(table)).contains("nothing to do");

        RecordingHandler received = new RecordingHandler();
        try (PostgresListener listener = BridgePostgres.create(daemon, connections(DAEMON), options).listen(received)) {
            assertThat(listener.awaitListening(WAIT)).isTrue();
            TestPostgres.execute(writer, "INSERT INTO " + table + " VALUES (5)");
            assertThat(received.awaitChange(c -> c.bucket().equals(table), WAIT).id()).isEqualTo("5");
        }
    }

    private static void runScript(DataSource as, String script) throws SQLException {
        try (Connection c = as.getConnection(); Statement s = c.createStatement()) {
            s.execute(script);
        }
    }
}
