package dev.bridge.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bridge.core.Append;
import dev.bridge.core.Change;
import dev.bridge.core.Json;
import dev.bridge.core.Key;
import dev.bridge.core.Partitioning;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * A partition's reader of the change log gets the changes {@link Partitioning} puts in it, picked by
 * the query over the JSON the capture functions write: the SQL and the Java agree on every key,
 * odd ones included, and a row no capture function wrote goes to partition 0 alone.
 */
class PartitioningIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private final DataSource db = TestPostgres.dataSource();

    @Test
    void theQueryAndTheJavaPutEveryKeyInTheSamePartition() throws Exception {
        PostgresOptions options = TestPostgres.freshOptions();
        TestPostgres.bridge(options).schema().install();
        List<Key> keys = oddKeys(2_000);
        for (int partitions : new int[] {2, 3, 7, 64, 1024}) {
            String sql = "SELECT " + new LogSlice(0, partitions).partitionOf("c") + " FROM (SELECT " + options.quotedSchema()
                    + ".bridge_change_json('UPDATE', ?, ?, 3, now(), 9, '{\"a\":1}'::jsonb, NULL) AS c) t";
            try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
                for (Key key : keys) {
                    ps.setString(1, key.bucket());
                    ps.setString(2, key.id());
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        assertThat(rs.getInt(1)).as("partition of %s of %d", key, partitions).isEqualTo(Partitioning.partition(key, partitions));
                    }
                }
            }
        }
    }

    @Test
    void eachPartitionsReaderGetsItsOwnChangesAndPartitionZeroTheRowsNoTriggerWrote() throws Exception {
        PostgresOptions options = TestPostgres.freshOptions();
        BridgePostgres bridge = TestPostgres.bridge(options);
        bridge.schema().install();
        List<Key> keys = oddKeys(300);
        for (Key key : keys) {
            bridge.eventStore().append(new Append(key, 0, 1, Json.parse("{\"n\":1}"), Json.parse("{}")));
        }
        TestPostgres.execute(db, "INSERT INTO " + options.quotedSchema() + ".bridge_changes (seq, change) VALUES"
                + " (nextval('" + options.quotedSchema() + ".bridge_change_seq'), 'not json at all')");
        int partitions = 4;
        Map<Integer, RecordingHandler> readers = new HashMap<>();
        List<PostgresListener> listeners = new ArrayList<>();
        try {
            for (int p = 0; p < partitions; p++) {
                RecordingHandler handler = new RecordingHandler();
                readers.put(p, handler);
                PostgresListener listener = (PostgresListener) bridge.changeSource().partition(p, partitions).subscribe(Optional.empty(), handler);
                listeners.add(listener);
            }
            RecordingHandler.awaitTrue(() -> readers.values().stream().mapToInt(r -> r.changes.size()).sum() == keys.size(), WAIT,
                    () -> "read " + readers.values().stream().mapToInt(r -> r.changes.size()).sum() + " of " + keys.size());
            RecordingHandler.awaitTrue(() -> listeners.get(0).stats().malformedChanges() == 1, WAIT, () -> "partition 0 did not see the bad row");
            for (int p = 0; p < partitions; p++) {
                for (Change change : readers.get(p).changes) {
                    assertThat(Partitioning.partition(change.key(), partitions)).as("%s read by partition %d", change.key(), p).isEqualTo(p);
                }
                assertThat(readers.get(p).changes).as("partition %d reads something", p).isNotEmpty();
            }
            for (int p = 1; p < partitions; p++) {
                assertThat(listeners.get(p).stats().malformedChanges()).as("bad rows seen by partition %d", p).isZero();
            }
        } finally {
            listeners.forEach(PostgresListener::close);
        }
    }

    /** Keys with quotes, backslashes, control characters, accents, CJK and characters outside the BMP. */
    private static List<Key> oddKeys(int count) {
        Random random = new Random(18);
        String[] pieces = {"a", "Z", "9", "\"", "\\", "\n", "\t", "\u0001", "\u001f", "é", "中", "\uD83D\uDE00", " ", "/", ":", "'", "{", "\u007f"};
        List<Key> keys = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            StringBuilder bucket = new StringBuilder("b");
            StringBuilder id = new StringBuilder();
            for (int j = random.nextInt(4); j > 0; j--) {
                bucket.append(pieces[random.nextInt(pieces.length)]);
            }
            for (int j = 1 + random.nextInt(6); j > 0; j--) {
                id.append(pieces[random.nextInt(pieces.length)]);
            }
            keys.add(new Key(bucket.toString(), id.append(i).toString()));
        }
        return keys;
    }
}
