package dev.bridge.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bridge.core.Change;
import dev.bridge.core.Op;
import dev.bridge.core.protocol.RejectReason;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Legacy mode against the original design's own trigger, installed from the blog post's SQL and run
 * by PostgreSQL: what it sends is read byte for byte, around every point where it cuts a payload,
 * in every width of character; and what it cannot say (two changes of a row in one transaction,
 * a NULL val) is handled as docs/protocol.md §3 says.
 */
class LegacyTriggerIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String DATABASE = "seed_" + ProcessHandle.current().pid();
    private static DataSource db;
    private static PostgresListener listener;
    private static final RecordingHandler received = new RecordingHandler();

    @BeforeAll
    static void installTheOriginalTrigger() throws Exception {
        TestPostgres.execute(TestPostgres.dataSource(), "CREATE DATABASE " + DATABASE);
        db = TestPostgres.shared().getDatabase("postgres", DATABASE);
        try (InputStream in = LegacyTriggerIT.class.getResourceAsStream("seed-trigger.sql")) {
            TestPostgres.execute(db, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        // Bridge's own schema, as its daemon installs it; the original trigger notifies on channel 'bridge'.
        PostgresOptions options = PostgresOptions.defaults().withSchema("bridge").withChannel("bridge").withMode(DeliveryMode.AT_MOST_ONCE)
                .withReassembly(PostgresOptions.defaults().reassembly().withLegacyFrames(true));
        ConnectionFactory connections = ConnectionFactory.of("jdbc:postgresql://localhost:" + TestPostgres.shared().getPort() + "/"
                + DATABASE, "postgres", null);
        BridgePostgres bridge = BridgePostgres.create(db, connections, options);
        bridge.schema().install();
        listener = bridge.listen(received);
        assertThat(listener.awaitListening(WAIT)).isTrue();
    }

    @AfterAll
    static void stop() throws IOException {
        if (listener != null) {
            listener.close();
        }
    }

    @Test
    void readsEveryPayloadTheTriggerSendsByteForByteAroundEveryCut() throws Exception {
        Map<String, Integer> lengths = new LinkedHashMap<>();
        List<String> alphabets = List.of("a", "é", "€", "😀", "a\\\"é:0EOF€😀");
        int[] around = {150, 998, 999, 1000, 1001, 1002, 1998, 1999, 2000, 2001, 2999, 3000, 3001, 7321};
        for (String alphabet : alphabets) {
            for (int length : around) {
                String id = UUID.randomUUID().toString();
                insert(id, length, alphabet);
                lengths.put(id, length);
            }
        }
        RecordingHandler.awaitTrue(() -> lengths.keySet().stream().allMatch(id -> received.changes.stream().anyMatch(c -> c.id().equals(id))),
                WAIT, () -> "received " + received.changes.size() + " of " + lengths.size());
        for (Map.Entry<String, Integer> e : lengths.entrySet()) {
            Change change = received.changes.stream().filter(c -> c.id().equals(e.getKey())).findFirst().orElseThrow();
            assertThat(change.op()).isEqualTo(Op.INSERT);
            assertThat(change.bucket()).isEqualTo("legacy");
            assertThat(change.val().text()).as("payload of %d characters", e.getValue())
                    .isEqualTo(TestPostgres.queryString(db, "SELECT val::text FROM bridge_snaps WHERE id = '" + e.getKey() + "'"));
            assertThat(payloadLength(e.getKey())).as("the trigger's payload").isEqualTo(e.getValue());
        }
        assertThat(listener.stats().reassembly().rejected(RejectReason.OUT_OF_ORDER)).isZero();
        assertThat(listener.stats().malformedChanges()).isZero();
    }

    @Test
    void theSecondChangeOfARowInOneTransactionIsGivenUpWhenTheRowChangesAgainWhichIsRead() throws Exception {
        String id = UUID.randomUUID().toString();
        insert(id, 1500, "a");
        received.awaitChange(c -> c.id().equals(id), WAIT);
        long interruptedBefore = listener.stats().reassembly().rejected(RejectReason.INTERRUPTED);
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("UPDATE bridge_snaps SET version = 2, val = jsonb_build_object('s', repeat('b', 1500)) WHERE id = '" + id + "'");
                s.execute("UPDATE bridge_snaps SET version = 3, val = jsonb_build_object('s', repeat('c', 1500)) WHERE id = '" + id + "'");
            }
            c.commit();
        }
        // Its two identical ends were folded into one: the first update ends, the second never does.
        received.awaitChange(c -> c.id().equals(id) && c.val().text().contains("bbb"), WAIT);
        TestPostgres.execute(db, "UPDATE bridge_snaps SET version = 4, val = jsonb_build_object('s', repeat('d', 2500)) WHERE id = '" + id + "'");

        Change later = received.awaitChange(c -> c.id().equals(id) && c.val().text().contains("ddd"), WAIT);
        assertThat(later.op()).isEqualTo(Op.UPDATE);
        assertThat(received.changes.stream().filter(c -> c.id().equals(id) && c.val() != null && c.val().text().contains("ccc"))).isEmpty();
        assertThat(listener.stats().reassembly().rejected(RejectReason.INTERRUPTED)).isEqualTo(interruptedBefore + 1);
    }

    @Test
    void aRowWhoseValIsNullSendsTheEndAloneWhichIsCountedAsAnOrphan() throws Exception {
        long orphansBefore = listener.stats().reassembly().rejected(RejectReason.ORPHAN);
        String id = UUID.randomUUID().toString();
        TestPostgres.execute(db, "INSERT INTO bridge_snaps (bucket, id, version, ts, val) VALUES ('legacy', '" + id + "', 1, 0, NULL)");
        String marker = UUID.randomUUID().toString();
        insert(marker, 80, "a");
        received.awaitChange(c -> c.id().equals(marker), WAIT);

        assertThat(received.changes).noneMatch(c -> c.id().equals(id));
        assertThat(listener.stats().reassembly().rejected(RejectReason.ORPHAN)).isEqualTo(orphansBefore + 1);
    }

    /** Inserts a row whose whole payload, as the trigger builds it, is {@code length} characters. */
    private static void insert(String id, int length, String alphabet) throws SQLException {
        int base = Integer.parseInt(TestPostgres.queryString(db, "SELECT length(jsonb_build_object('op', 'INSERT', 'id', '" + id
                + "', 'bucket', 'legacy', 'val', jsonb_build_object('s', ''))::text)"));
        StringBuilder text = new StringBuilder();
        List<Integer> points = new ArrayList<>();
        alphabet.codePoints().forEach(points::add);
        int payload = base;
        for (int i = 0; payload < length; i++) {
            int cp = points.get(i % points.size());
            int cost = cp == '"' || cp == '\\' ? 2 : 1;
            if (payload + cost > length) {
                cp = 'x';
                cost = 1;
            }
            text.appendCodePoint(cp);
            payload += cost;
        }
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO bridge_snaps (bucket, id, version, ts, val) VALUES ('legacy', ?, 1, 0, jsonb_build_object('s', ?::text))")) {
            ps.setString(1, id);
            ps.setString(2, text.toString());
            ps.executeUpdate();
        }
    }

    private static int payloadLength(String id) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT length(jsonb_build_object('op', 'INSERT',"
                + " 'id', id, 'bucket', to_jsonb(bucket), 'val', val)::text) FROM bridge_snaps WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
