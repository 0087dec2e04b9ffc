package dev.bridge.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bridge.core.Append;
import dev.bridge.core.Change;
import dev.bridge.core.ChangeJson;
import dev.bridge.core.Checkpoint;
import dev.bridge.core.Json;
import dev.bridge.core.Key;
import dev.bridge.core.Op;
import dev.bridge.core.port.ChangeHandler;
import dev.bridge.core.port.CheckpointStore;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

class ChangeLogIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private final DataSource db = TestPostgres.dataSource();

    /** Records changes and saves each checkpoint at once, as a consumer that has processed everything before it would. */
    private static final class Consumer implements ChangeHandler {
        final List<Change> changes = new CopyOnWriteArrayList<>();
        final List<Checkpoint> checkpoints = new CopyOnWriteArrayList<>();
        final CheckpointStore store;
        final String name;

        Consumer(CheckpointStore store, String name) {
            this.store = store;
            this.name = name;
        }

        @Override
        public void onChange(Change change) {
            changes.add(change);
        }

        @Override
        public void onCheckpoint(Checkpoint checkpoint) {
            store.save(name, "s", checkpoint);
            checkpoints.add(checkpoint);
        }
    }

    private PostgresListener subscribe(BridgePostgres bridge, Consumer consumer) throws InterruptedException {
        PostgresListener listener = (PostgresListener) bridge.changeSource().subscribe(
                Optional.ofNullable(bridge.checkpointStore().load(consumer.name, Set.of("s")).get("s")), consumer);
        assertThat(listener.awaitListening(WAIT)).isTrue();
        return listener;
    }

    @Test
    void aChangeCommittedOutOfSeqOrderAroundADisconnectIsNotSkipped() throws Exception {
        PostgresOptions options = TestPostgres.freshOptions();
        BridgePostgres bridge = TestPostgres.bridge(options);
        bridge.schema().install();
        Consumer first = new Consumer(bridge.checkpointStore(), "c1");
        PostgresListener listener = subscribe(bridge, first);

        try (Connection slow = db.getConnection()) {
            slow.setAutoCommit(false);
            try (Statement s = slow.createStatement()) {
                s.execute("INSERT INTO " + options.schema() + ".bridge_snaps (bucket, id, version, val) VALUES ('o', 'early', 1, '{}')");
            }
            bridge.eventStore().append(new Append(new Key("o", "late"), 0, 1, Json.parse("{}"), Json.parse("{}")));
            RecordingHandler.awaitTrue(() -> first.changes.stream().anyMatch(c -> c.id().equals("late")), WAIT, () -> "late not delivered");
            int saved = first.checkpoints.size();
            RecordingHandler.awaitTrue(() -> first.checkpoints.size() > saved, WAIT, () -> "no checkpoint after late");
            listener.close();

            slow.commit();
        }
        long earlySeq = Long.parseLong(TestPostgres.queryString(db, "SELECT seq FROM " + options.schema() + ".bridge_changes"
                + " WHERE change LIKE '%\"early\"%'"));
        long lateSeq = first.changes.stream().filter(c -> c.id().equals("late")).findFirst().orElseThrow().seq();
        assertThat(earlySeq).as("the early change took its seq first but committed last").isLessThan(lateSeq);
        assertThat(first.changes).noneMatch(c -> c.id().equals("early"));

        Consumer second = new Consumer(bridge.checkpointStore(), "c1");
        try (PostgresListener again = subscribe(bridge, second)) {
            RecordingHandler.awaitTrue(() -> second.changes.stream().anyMatch(c -> c.id().equals("early")), WAIT,
                    () -> "the change committed while away was skipped: " + second.changes);
            assertThat(second.changes).noneMatch(c -> c.id().equals("late"));
        }
    }

    @Test
    void forgedFramesDeliverNothingAtLeastOnce() throws Exception {
        PostgresOptions options = TestPostgres.freshOptions();
        BridgePostgres bridge = TestPostgres.bridge(options);
        bridge.schema().install();
        RecordingHandler handler = new RecordingHandler();
        try (PostgresListener listener = bridge.listen(handler)) {
            assertThat(listener.awaitListening(WAIT)).isTrue();
            String forged = ChangeJson.toJson(new Change(Op.INSERT, "forged", "f", 1, Instant.now(), Json.parse("{\"evil\":true}"), null, 424242));
            for (String frame : List.of("B1=67932:" + forged, "garbage", "B1<1:10:abc", "{\"ref\":1}")) {
                TestPostgres.execute(db, "SELECT pg_notify('" + options.channel() + "', '" + frame.replace("'", "''") + "')");
            }
            bridge.eventStore().append(new Append(new Key("real", "r"), 0, 1, Json.parse("{}"), Json.parse("{}")));

            handler.awaitChange(c -> c.bucket().equals("real"), WAIT);
            Thread.sleep(200);

            assertThat(handler.changes).extracting(Change::bucket).containsExactly("real");
            assertThat(listener.stats().notifications()).isGreaterThanOrEqualTo(5);
        }
    }

    @Test
    void notificationsAreEmptyPromptsOnePerTransactionAndEveryChangeIsReadFromTheLog() throws Exception {
        PostgresOptions options = TestPostgres.freshOptions();
        BridgePostgres bridge = TestPostgres.bridge(options);
        bridge.schema().install();
        RecordingHandler handler = new RecordingHandler();
        try (Connection spy = db.getConnection(); PostgresListener listener = bridge.listen(handler)) {
            try (Statement s = spy.createStatement()) {
                s.execute("LISTEN " + options.channel());
            }
            assertThat(listener.awaitListening(WAIT)).isTrue();
            String big = "x".repeat(20_000);
            bridge.eventStore().append(new Append(new Key("b", "big"), 0, 1, Json.parse("{}"), Json.parse("{\"s\":\"" + big + "\"}")));
            bridge.eventStore().appendAll(newObjects("b", "small-", 10));

            Change received = handler.awaitChange(c -> c.id().equals("big"), WAIT);
            assertThat(received.val().tree().get("s").asText()).isEqualTo(big);
            handler.awaitChange(c -> c.id().equals("small-9"), WAIT);
            List<String> seen = new CopyOnWriteArrayList<>();
            RecordingHandler.awaitTrue(() -> {
                try (Statement s = spy.createStatement()) {
                    s.execute("SELECT 1");
                    PGNotification[] ns = spy.unwrap(PGConnection.class).getNotifications(200);
                    if (ns != null) {
                        for (PGNotification n : ns) {
                            seen.add(n.getParameter());
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return seen.size() >= 2;
            }, WAIT, () -> "notifications seen: " + seen);
            Thread.sleep(300);
            PGNotification[] late = spy.unwrap(PGConnection.class).getNotifications(200);
            assertThat(late).as("no further notification").isNullOrEmpty();
            assertThat(seen).as("one empty prompt per transaction, no change content").containsExactly("", "");
        }
    }

    @Test
    void aBacklogLargerThanAPageIsReadPageByPageInSeqOrderOnce() throws Exception {
        PostgresOptions options = TestPostgres.freshOptions().withLogReading(Duration.ofSeconds(1), 5);
        BridgePostgres bridge = TestPostgres.bridge(options);
        bridge.schema().install();
        try (Connection slow = db.getConnection()) {
            slow.setAutoCommit(false);
            try (Statement s = slow.createStatement()) {
                s.execute("INSERT INTO " + options.schema() + ".bridge_snaps (bucket, id, version, val) VALUES ('q', 'first-taken', 1, '{}')");
            }
            for (int t = 0; t < 4; t++) {
                bridge.eventStore().appendAll(newObjects("q", t + "-", 6));
            }
            slow.commit();
        }

        Consumer consumer = new Consumer(bridge.checkpointStore(), "backlog");
        try (PostgresListener listener = subscribe(bridge, consumer)) {
            RecordingHandler.awaitTrue(() -> consumer.changes.size() >= 25, WAIT, () -> "got " + consumer.changes.size());
            Thread.sleep(300);
        }
        assertThat(consumer.changes).hasSize(25);
        assertThat(consumer.changes).extracting(Change::seq).isSorted().doesNotHaveDuplicates();
        assertThat(consumer.changes.get(0).id()).isEqualTo("first-taken");
    }

    @Test
    void aBurstTurnsPromptsOffWhileTheListenerReadsBackToBackAndOnAgainWhenItIsQuiet() throws Exception {
        PostgresOptions options = TestPostgres.freshOptions();
        BridgePostgres bridge = TestPostgres.bridge(options);
        bridge.schema().install();
        RecordingHandler handler = new RecordingHandler();
        try (PostgresListener listener = bridge.listen(handler)) {
            assertThat(listener.awaitListening(WAIT)).isTrue();
            String prompts = "SELECT prompts FROM " + options.schema() + ".bridge_listeners WHERE pid = " + listener.backendPid();
            RecordingHandler.awaitTrue(() -> "t".equals(TestPostgres.queryString(db, prompts)), WAIT, () -> "listener not registered");

            List<Append> burst = newObjects("burst", "k", LogPace.BURST + 2);
            bridge.eventStore().appendAll(burst);
            // Busy lasts at least one 50 ms window; looking as often as one connection can cannot miss it.
            boolean sawOff = becomes(prompts, "f", Duration.ofSeconds(10));
            assertThat(sawOff).as("prompts turned off after a read found " + burst.size() + " changes").isTrue();
            RecordingHandler.awaitTrue(() -> "t".equals(TestPostgres.queryString(db, prompts)), WAIT, () -> "prompts never turned on again");

            bridge.eventStore().append(new Append(new Key("after", "a"), 0, 1, Json.parse("{}"), Json.parse("{}")));
            handler.awaitChange(c -> c.bucket().equals("after"), WAIT);
            assertThat(handler.changes).extracting(Change::seq).isSorted().doesNotHaveDuplicates().hasSize(burst.size() + 1);
        }
    }

    @Test
    void aTransactionThatSawNoPromptsWantedAndCommitsAfterTheQuickSpellIsReadByThePollLateNotLost() throws Exception {
        PostgresOptions options = TestPostgres.freshOptions().withLogReading(Duration.ofSeconds(1), 1000);
        BridgePostgres bridge = TestPostgres.bridge(options);
        bridge.schema().install();
        RecordingHandler handler = new RecordingHandler();
        try (PostgresListener listener = bridge.listen(handler); Connection spy = db.getConnection(); Connection writer = db.getConnection()) {
            assertThat(listener.awaitListening(WAIT)).isTrue();
            try (Statement s = spy.createStatement()) {
                s.execute("LISTEN " + options.channel());
            }
            String prompts = "SELECT prompts FROM " + options.schema() + ".bridge_listeners WHERE pid = " + listener.backendPid();
            writer.setAutoCommit(false);
            boolean unprompted = false;
            for (int attempt = 0; attempt < 20 && !unprompted; attempt++) {
                bridge.eventStore().appendAll(newObjects("burst" + attempt, "k", LogPace.BURST));
                if (!becomes(prompts, "f", Duration.ofSeconds(2))) {
                    continue;
                }
                try (Statement s = writer.createStatement()) {
                    s.execute("INSERT INTO " + options.schema() + ".bridge_snaps (bucket, id, version, val) VALUES ('race', 'r', 1, '{}')");
                    try (java.sql.ResultSet rs = s.executeQuery("SELECT current_setting('bridge.prompted', true)")) {
                        rs.next();
                        unprompted = !options.channel().equals(rs.getString(1));
                    }
                    if (!unprompted) {
                        writer.rollback();
                    }
                }
            }
            assertThat(unprompted).as("the insert ran while the listener was busy").isTrue();
            RecordingHandler.awaitTrue(() -> "t".equals(TestPostgres.queryString(db, prompts)), WAIT, () -> "prompts never turned on again");
            Thread.sleep(LogPace.QUICK_NANOS / 1_000_000 + 100);
            drainNotifications(spy);
            writer.commit();

            handler.awaitChange(c -> c.bucket().equals("race"), WAIT);
            assertThat(drainNotifications(spy)).as("no prompt: the poll found it").isZero();
            assertThat(handler.changes).filteredOn(c -> c.bucket().equals("race")).hasSize(1);
        }
    }

    /** Appends that create {@code n} objects of {@code bucket}, ids {@code idPrefix} followed by 0 to n - 1. */
    private static List<Append> newObjects(String bucket, String idPrefix, int n) {
        List<Append> appends = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            appends.add(new Append(new Key(bucket, idPrefix + i), 0, 1, Json.parse("{}"), Json.parse("{\"i\":" + i + "}")));
        }
        return appends;
    }

    /** Whether {@code query}'s first column reads {@code value} within the given time, looked at as often as one connection can. */
    private boolean becomes(String query, String value, Duration within) throws Exception {
        long until = System.nanoTime() + within.toNanos();
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            while (System.nanoTime() < until) {
                try (java.sql.ResultSet rs = s.executeQuery(query)) {
                    if (rs.next() && value.equals(rs.getString(1))) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static int drainNotifications(Connection spy) throws Exception {
        try (Statement s = spy.createStatement()) {
            s.execute("SELECT 1");
        }
        PGNotification[] ns = spy.unwrap(PGConnection.class).getNotifications(50);
        return ns == null ? 0 : ns.length;
    }

    @Test
    void pruningKeepsWhatAConsumerNeedsAndRemovesWhatEveryConsumerPassed() throws Exception {
        PostgresOptions options = TestPostgres.freshOptions().withPruning(Duration.ZERO, Duration.ofMillis(200));
        BridgePostgres bridge = TestPostgres.bridge(options);
        bridge.schema().install();
        bridge.consumers().register("laggard", "s");
        Consumer fast = new Consumer(bridge.checkpointStore(), "fast");
        try (PostgresListener listener = subscribe(bridge, fast)) {
            for (int i = 0; i < 50; i++) {
                bridge.eventStore().append(new Append(new Key("p", "k" + i), 0, 1, Json.parse("{}"), Json.parse("{}")));
            }
            RecordingHandler.awaitTrue(() -> fast.changes.size() == 50, WAIT, () -> "fast consumer behind");
            Thread.sleep(600);
            assertThat(count(options)).as("the laggard still needs them").isEqualTo(50);
            assertThat(bridge.consumers().list()).extracting(Consumers.Consumer::name).containsExactly("fast", "laggard");
            assertThat(bridge.consumers().list().get(1).pending()).isEqualTo(50);

            assertThat(bridge.consumers().drop("laggard", Optional.empty())).isEqualTo(1);
            RecordingHandler.awaitTrue(() -> count(options) == 0, WAIT, () -> "not pruned: " + count(options));

            // Under a steady stream the log stays small: pruning follows the consumer.
            for (int i = 0; i < 200; i++) {
                bridge.eventStore().append(new Append(new Key("p", "s" + i), 0, 1, Json.parse("{}"), Json.parse("{}")));
                if (i % 20 == 0) {
                    Thread.sleep(100);
                }
            }
            RecordingHandler.awaitTrue(() -> fast.changes.size() == 250, WAIT, () -> "fast consumer behind");
            RecordingHandler.awaitTrue(() -> count(options) == 0, WAIT, () -> "not pruned after the stream: " + count(options));
        }
    }

    @Test
    void refusesACheckpointThatIsNotASnapshot() {
        BridgePostgres bridge = TestPostgres.bridge(TestPostgres.freshOptions());
        assertThatThrownBy(() -> bridge.changeSource().subscribe(Optional.of(new Checkpoint("12345")), new RecordingHandler()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PostgreSQL snapshot");
    }

    private long count(PostgresOptions options) {
        return Long.parseLong(TestPostgres.queryString(db, "SELECT count(*) FROM " + options.schema() + ".bridge_changes"));
    }
}
