package dev.bridge.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bridge.core.Append;
import dev.bridge.core.Change;
import dev.bridge.core.Json;
import dev.bridge.core.Key;
import dev.bridge.core.Op;
import dev.bridge.core.port.EventStore;
import dev.bridge.core.protocol.RejectReason;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CaptureIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private final DataSource db = TestPostgres.dataSource();
    private final PostgresOptions options = TestPostgres.freshOptions();
    private final BridgePostgres bridge = TestPostgres.bridge(options);
    private final EventStore store = bridge.eventStore();
    private final RecordingHandler handler = new RecordingHandler();
    private PostgresListener listener;

    @BeforeEach
    void start() throws InterruptedException {
        bridge.schema().install();
        listener = bridge.listen(handler);
        assertThat(listener.awaitListening(WAIT)).isTrue();
    }

    @AfterEach
    void stop() {
        listener.close();
    }

    @Test
    void deliversChangesOfEverySizeByteIdenticalFromTheLog() throws InterruptedException {
        deliverEverySize(bridge, options, listener, handler);
    }

    @Test
    void deliversChangesOfEverySizeByteIdenticalThroughFrames() throws InterruptedException {
        PostgresOptions framed = TestPostgres.freshOptions().withMode(DeliveryMode.AT_MOST_ONCE);
        BridgePostgres notifyOnly = TestPostgres.bridge(framed);
        notifyOnly.schema().install();
        RecordingHandler received = new RecordingHandler();
        try (PostgresListener frames = notifyOnly.listen(received)) {
            assertThat(frames.awaitListening(WAIT)).isTrue();
            deliverEverySize(notifyOnly, framed, frames, received);
            assertThat(frames.stats().reassembly().completed()).as("changes reassembled from frames").isPositive();
        }
    }

    private void deliverEverySize(BridgePostgres target, PostgresOptions targetOptions, PostgresListener targetListener,
            RecordingHandler targetHandler) throws InterruptedException {
        Random random = new Random(42);
        List<Integer> sizes = new ArrayList<>(List.of(0, 1, 2, 100, 7_700, 16_000, 100_000, 1 << 20, 16 << 20));
        for (int s = 7_780; s <= 7_880; s += 7) {
            sizes.add(s);
        }
        String[] alphabet = {"a", "é", "€", "中", "😀", "\\n", "\\\"", "b", "c", "d"};
        for (int i = 0; i < sizes.size(); i++) {
            int size = sizes.get(i);
            StringBuilder text = new StringBuilder(size);
            while (text.length() < size) {
                text.append(size > 200_000 ? "x" : alphabet[random.nextInt(alphabet.length)]);
            }
            Key key = new Key("sizes", "k" + i);
            target.eventStore().append(new Append(key, 0, 1, Json.parse("{}"), Json.parse("{\"text\":\"" + text + "\"}")));
        }

        List<Change> received = targetHandler.awaitChanges(sizes.size(), WAIT);

        assertThat(received).hasSize(sizes.size());
        for (int i = 0; i < sizes.size(); i++) {
            String id = "k" + i;
            Change change = received.stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow();
            String stored = TestPostgres.queryString(db, "SELECT val::text FROM " + targetOptions.schema() + ".bridge_snaps WHERE id = '" + id + "'");
            assertThat(change.val().text()).as("size %d", sizes.get(i)).isEqualTo(stored);
            assertThat(change.op()).isEqualTo(Op.INSERT);
            assertThat(change.seq()).isPositive();
        }
        assertThat(targetListener.stats().reassembly().rejectedTotal()).isZero();
    }

    @Test
    void seqOrdersTheChangesOfEachRowOfACapturedTableAsTheyWereCommitted() throws Exception {
        String table = "counters_" + options.schema();
        TestPostgres.execute(db, "CREATE TABLE " + table + " (id integer PRIMARY KEY, n integer NOT NULL)");
        TestPostgres.execute(db, "INSERT INTO " + table + " SELECT g, 0 FROM generate_series(1, 5) g");
        bridge.capture().add(table);
        int writers = 4;
        int updates = 50;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int seed = w;
                done.add(pool.submit(() -> {
                    Random random = new Random(seed);
                    try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
                        for (int i = 0; i < updates; i++) {
                            // n counts the row's updates in the order the row lock let them commit.
                            st.execute("UPDATE " + table + " SET n = n + 1 WHERE id = " + (1 + random.nextInt(5)));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        List<Change> received = handler.awaitChanges(writers * updates, WAIT);
        Map<String, List<Change>> byRow = new HashMap<>();
        received.stream().filter(c -> c.bucket().equals(table)).forEach(c -> byRow.computeIfAbsent(c.id(), k -> new ArrayList<>()).add(c));
        assertThat(byRow.values().stream().mapToInt(List::size).sum()).isEqualTo(writers * updates);
        for (List<Change> changes : byRow.values()) {
            changes.sort(java.util.Comparator.comparingLong(Change::seq));
            for (int i = 0; i < changes.size(); i++) {
                assertThat(changes.get(i).val().text()).as("row %s, change %d by seq", changes.get(i).id(), i)
                        .contains("\"n\": " + (i + 1) + ",");
                assertThat(changes.get(i).version()).as("a captured table has no version").isZero();
            }
        }
    }

    @Test
    void eightConcurrentWritersEveryChangeOnceInOrderPerKey() throws Exception {
        int writers = 8;
        int keysPerWriter = 50;
        int versions = 25;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                done.add(pool.submit(() -> {
                    try (OneConnectionDataSource own = new OneConnectionDataSource(db)) {
                        EventStore writerStore = BridgePostgres.create(own, TestPostgres.listenerConnections(), options).eventStore();
                        for (int v = 0; v < versions; v++) {
                            for (int k = 0; k < keysPerWriter; k++) {
                                writerStore.append(new Append(new Key("load", writer + "-" + k), v, 1, Json.parse("{}"),
                                        Json.parse("{\"v\":" + (v + 1) + "}")));
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        int total = writers * keysPerWriter * versions;

        List<Change> received = handler.awaitChanges(total, WAIT);
        Thread.sleep(200);

        assertThat(handler.changes).hasSize(total);
        Set<Long> seqs = new HashSet<>();
        Map<String, Long> lastVersion = new HashMap<>();
        for (Change change : received) {
            assertThat(seqs.add(change.seq())).as("seq %d delivered once", change.seq()).isTrue();
            long previous = lastVersion.getOrDefault(change.id(), 0L);
            assertThat(change.version()).as("order of %s", change.id()).isEqualTo(previous + 1);
            lastVersion.put(change.id(), change.version());
        }
        assertThat(lastVersion).hasSize(writers * keysPerWriter).allSatisfy((k, v) -> assertThat(v).isEqualTo(versions));
    }

    @Test
    void capturesAUserTableUntilRemoved() throws InterruptedException {
        String table = "orders_" + options.schema();
        String pair = "pairs_" + options.schema();
        TestPostgres.execute(db, "CREATE TABLE " + table + " (id integer PRIMARY KEY, status text)");
        TestPostgres.execute(db, "CREATE TABLE " + pair + " (a text, b integer, note text, PRIMARY KEY (b, a))");
        bridge.capture().add(table);
        bridge.capture().add(pair);
        assertThat(bridge.capture().list()).containsExactlyInAnyOrder(table, pair);
        assertThat(bridge.schema().status().capturedTables()).containsExactlyInAnyOrder(table, pair);

        TestPostgres.execute(db, "INSERT INTO " + table + " VALUES (1, 'new')");
        TestPostgres.execute(db, "UPDATE " + table + " SET status = 'paid' WHERE id = 1");
        TestPostgres.execute(db, "DELETE FROM " + table + " WHERE id = 1");
        TestPostgres.execute(db, "INSERT INTO " + pair + " VALUES ('x', 7, 'n')");
        List<Change> changes = handler.awaitChanges(4, WAIT);

        assertThat(changes).extracting(Change::op).containsExactly(Op.INSERT, Op.UPDATE, Op.DELETE, Op.INSERT);
        assertThat(changes).extracting(Change::bucket).containsExactly(table, table, table, pair);
        assertThat(changes.get(0).id()).isEqualTo("1");
        assertThat(changes.get(0).val().tree()).isEqualTo(Json.parse("{\"id\":1,\"status\":\"new\"}").tree());
        assertThat(changes.get(0).old()).isNull();
        assertThat(changes.get(1).old().tree()).isEqualTo(Json.parse("{\"id\":1,\"status\":\"new\"}").tree());
        assertThat(changes.get(2).val()).isNull();
        assertThat(changes.get(2).old().tree()).isEqualTo(Json.parse("{\"id\":1,\"status\":\"paid\"}").tree());
        assertThat(changes.get(3).id()).isEqualTo("[7, \"x\"]");

        bridge.capture().remove(table);
        TestPostgres.execute(db, "INSERT INTO " + table + " VALUES (2, 'after removal')");
        store.append(new Append(new Key("marker", "m"), 0, 1, Json.parse("{}"), Json.parse("{}")));
        handler.awaitChange(c -> c.bucket().equals("marker"), WAIT);

        assertThat(handler.changes).noneMatch(c -> c.id().equals("2"));
        assertThat(bridge.capture().list()).containsExactly(pair);
    }

    @Test
    void anUpdateThatChangesTheKeyIsTheOldObjectsDeleteThenTheNewOnesInsert() throws InterruptedException {
        String table = "renamed_" + options.schema();
        String pair = "renamed_pairs_" + options.schema();
        TestPostgres.execute(db, "CREATE TABLE " + table + " (id integer PRIMARY KEY, status text)");
        TestPostgres.execute(db, "CREATE TABLE " + pair + " (a text, b integer, note text, PRIMARY KEY (b, a))");
        bridge.capture().add(table);
        bridge.capture().add(pair);
        TestPostgres.execute(db, "INSERT INTO " + table + " VALUES (1, 'new')");
        TestPostgres.execute(db, "UPDATE " + table + " SET id = 2, status = 'moved' WHERE id = 1");
        TestPostgres.execute(db, "UPDATE " + table + " SET status = 'kept' WHERE id = 2");
        TestPostgres.execute(db, "INSERT INTO " + pair + " VALUES ('x', 7, 'n')");
        TestPostgres.execute(db, "UPDATE " + pair + " SET a = 'y' WHERE b = 7");

        List<Change> changes = handler.awaitChanges(7, WAIT);
        assertThat(changes).extracting(c -> c.op() + " " + c.id()).containsExactly("INSERT 1", "DELETE 1", "INSERT 2", "UPDATE 2",
                "INSERT [7, \"x\"]", "DELETE [7, \"x\"]", "INSERT [7, \"y\"]");
        assertThat(changes.get(1).old().tree()).isEqualTo(Json.parse("{\"id\":1,\"status\":\"new\"}").tree());
        assertThat(changes.get(1).val()).isNull();
        assertThat(changes.get(2).val().tree()).isEqualTo(Json.parse("{\"id\":2,\"status\":\"moved\"}").tree());
        assertThat(changes.get(2).old()).isNull();
        assertThat(changes.get(2).seq()).isEqualTo(changes.get(1).seq() + 1);
        // A consumer keyed by id, applying each change, ends with exactly the table's rows.
        java.util.Map<String, String> byId = new java.util.TreeMap<>();
        for (Change c : changes) {
            if (c.op() == Op.DELETE) {
                byId.remove(c.bucket() + "/" + c.id());
            } else {
                byId.put(c.bucket() + "/" + c.id(), c.val().text());
            }
        }
        assertThat(byId.keySet()).containsExactly(pair + "/[7, \"y\"]", table + "/2");
    }

    @Test
    void refusesTablesItCannotCapture() {
        String noKey = "nokey_" + options.schema();
        TestPostgres.execute(db, "CREATE TABLE " + noKey + " (x integer)");

        assertThatThrownBy(() -> bridge.capture().add(noKey)).isInstanceOf(PostgresException.class).hasMessageContaining("has no primary key");
        assertThatThrownBy(() -> bridge.capture().add("missing_table")).isInstanceOf(PostgresException.class).hasMessageContaining("does not exist");
        assertThat(bridge.capture().list()).isEmpty();
    }

    @Test
    void forgedFramesAreRejectedCountedAndNeverDeliveredAtMostOnce() throws InterruptedException {
        listener.close();
        PostgresOptions atMostOnce = options.withMode(DeliveryMode.AT_MOST_ONCE);
        BridgePostgres bridge = TestPostgres.bridge(atMostOnce);
        bridge.schema().install();
        listener = bridge.listen(handler);
        assertThat(listener.awaitListening(WAIT)).isTrue();
        String channel = options.channel();
        for (String forged : new String[] {"hello", "{\"op\":\"INSERT\"}", "B1+ff:1:orphan", "B1<zz:10:abc", "B1>zz:5:x",
                "B9=1:future", "B1=ff:{not json", "B1=fe:{\"op\":\"INSERT\",\"bucket\":\"b\"}",
                "B2=fd:" + "0".repeat(32) + ":1:{\"op\":\"INSERT\",\"bucket\":\"b\",\"id\":\"1\",\"seq\":253}"}) {
            TestPostgres.execute(db, "SELECT pg_notify('" + channel + "', '" + forged.replace("'", "''") + "')");
        }
        store.append(new Append(new Key("real", "1"), 0, 1, Json.parse("{}"), Json.parse("{}")));

        handler.awaitChange(c -> c.bucket().equals("real"), WAIT);
        Thread.sleep(100);

        assertThat(handler.changes).hasSize(1);
        ListenerStats stats = listener.stats();
        assertThat(stats.notifications()).isEqualTo(10);
        assertThat(stats.malformedChanges()).isZero();
        assertThat(stats.reassembly().rejected(RejectReason.FOREIGN)).isEqualTo(2);
        assertThat(stats.reassembly().rejected(RejectReason.UNSIGNED)).as("version-1 frames, not read by default").isEqualTo(5);
        assertThat(stats.reassembly().rejected(RejectReason.UNSUPPORTED_VERSION)).isEqualTo(1);
        assertThat(stats.reassembly().rejected(RejectReason.FORGED)).isEqualTo(1);
    }

    @Test
    void readsTheQueueUsageAndNeverHoldsATransactionOpen() throws Exception {
        RecordingHandler other = new RecordingHandler();
        PostgresOptions fastChecks = options.withLiveness(Duration.ofMillis(200), Duration.ofSeconds(5)).withMode(DeliveryMode.AT_MOST_ONCE);
        try (Connection laggard = db.getConnection();
                PostgresListener watcher = TestPostgres.bridge(fastChecks).listen(other)) {
            assertThat(watcher.awaitListening(WAIT)).isTrue();
            // A session that listens but sits in a transaction reads nothing, so the queue keeps every notification.
            try (Statement s = laggard.createStatement()) {
                s.execute("LISTEN " + options.channel());
                laggard.setAutoCommit(false);
                s.execute("SELECT 1");
            }
            for (int i = 0; i < 300; i++) {
                TestPostgres.execute(db, "SELECT pg_notify('" + options.channel() + "', repeat('q', 7000))");
            }

            RecordingHandler.awaitTrue(() -> watcher.stats().queueUsage() > 0, WAIT, () -> "queue usage stays 0");
            String state = TestPostgres.queryString(db, "SELECT state FROM pg_stat_activity WHERE pid = " + watcher.backendPid());
            assertThat(state).isEqualTo("idle");
            RecordingHandler.awaitTrue(() -> watcher.stats().reassembly().rejected(RejectReason.FOREIGN) >= 300, WAIT,
                    () -> "read " + watcher.stats().reassembly().rejected(RejectReason.FOREIGN) + " of the 300 notifications");
            laggard.rollback();
        }
    }
}
