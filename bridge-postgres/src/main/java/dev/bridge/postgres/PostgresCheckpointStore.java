package dev.bridge.postgres;

import dev.bridge.core.Checkpoint;
import dev.bridge.core.LeaseLostException;
import dev.bridge.core.port.CheckpointStore;
import dev.bridge.core.port.Lease;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each sink's checkpoint in {@code bridge_consumers}, one row per consumer, sink and partition. A
 * sink is registered when its consumer first loads, in every partition at once; from then on the
 * log keeps every change it has not passed. A sink new to a consumer that has checkpoints starts
 * behind all of them, at the snapshot {@code x:x:} where x is the least xmin of their snapshots
 * (or at the consumer's single checkpoint from before schema version 6, which is then removed); a
 * sink of a new consumer at the beginning of the retained log. When the number of partitions
 * changes, every partition starts behind all the old checkpoints. Changes older than the maximum
 * retention are pruned even if a sink has not passed them; {@link #lost} says how many each sink
 * missed. Saves under a {@linkplain #leased lease} are fenced by its epoch in {@code bridge_leases}.
 */
final class PostgresCheckpointStore implements CheckpointStore {

    private static final Logger log = LoggerFactory.getLogger(PostgresCheckpointStore.class);

    /** The sink name of a consumer's single checkpoint from before each sink had its own. */
    static final String UNSPLIT = "";

    private final DataSource dataSource;
    private final String lock;
    private final String behind;
    private final String repartition;
    private final String register;
    private final String retire;
    private final String select;
    private final String upsert;
    private final String fencedUpsert;
    private final Map<String, Long> lost = new ConcurrentHashMap<>();

    PostgresCheckpointStore(DataSource dataSource, PostgresOptions options) {
        this.dataSource = dataSource;
        String k = options.quotedSchema() + ".bridge_consumers";
        lock = "SELECT pg_advisory_xact_lock(" + (Ddl.LOCK_NAMESPACE + 3) + ", hashtext(" + BridgeSchema.literal(options.schema())
                + " || '/' || ?))";
        behind = "SELECT coalesce((SELECT checkpoint FROM " + k + " WHERE name = ? AND sink = '' LIMIT 1),"
                + " (SELECT x || ':' || x || ':' FROM (SELECT pg_snapshot_xmin(" + ChangeLog.passedSnapshot("checkpoint") + ") AS x"
                + " FROM " + k + " WHERE name = ? AND sink <> '' ORDER BY 1 LIMIT 1) b), '" + ChangeLog.BEGINNING + "'),"
                + " EXISTS (SELECT 1 FROM " + k + " WHERE name = ? AND sink <> '' AND parts <> ?)";
        repartition = "WITH gone AS (DELETE FROM " + k + " WHERE name = ? AND sink <> '' AND part >= ?)"
                + " UPDATE " + k + " SET checkpoint = ?, parts = ?, updated_at = now() WHERE name = ? AND sink <> ''";
        register = "INSERT INTO " + k + " (name, sink, part, parts, checkpoint) SELECT ?, s, p, ?, ?"
                + " FROM unnest(?::text[]) s, generate_series(0, ? - 1) p ON CONFLICT (name, sink, part) DO NOTHING";
        retire = "DELETE FROM " + k + " WHERE name = ? AND sink = ''";
        select = "SELECT sink, checkpoint, lost FROM " + k + " WHERE name = ? AND part = ? AND sink <> ''";
        upsert = "INSERT INTO " + k + " (name, sink, part, parts, checkpoint) VALUES (?, ?, ?, ?, ?)"
                + " ON CONFLICT (name, sink, part) DO UPDATE SET checkpoint = excluded.checkpoint, updated_at = now() RETURNING lost";
        fencedUpsert = "INSERT INTO " + k + " (name, sink, part, parts, checkpoint) SELECT ?, ?, ?, ?, ? FROM (SELECT 1 FROM "
                + options.quotedSchema() + ".bridge_leases WHERE consumer = ? AND part = ? AND epoch = ? FOR SHARE) held"
                + " ON CONFLICT (name, sink, part) DO UPDATE SET checkpoint = excluded.checkpoint, updated_at = now() RETURNING lost";
    }

    @Override
    public Map<String, Checkpoint> load(String consumer, Set<String> sinks) {
        return load(consumer, 0, 1, sinks);
    }

    @Override
    public void save(String consumer, String sink, Checkpoint checkpoint) {
        save(consumer, sink, 0, 1, null, checkpoint);
    }

    /** What the log's pruning after its maximum retention took from this sink, as of the last load or save. */
    @Override
    public long lost(String consumer, String sink) {
        return lost.getOrDefault(key(consumer, sink, 0), 0L);
    }

    @Override
    public CheckpointStore leased(Lease lease) {
        return new CheckpointStore() {
            @Override
            public Map<String, Checkpoint> load(String consumer, Set<String> sinks) {
                return PostgresCheckpointStore.this.load(consumer, lease.partition(), lease.partitions(), sinks);
            }

            @Override
            public void save(String consumer, String sink, Checkpoint checkpoint) {
                PostgresCheckpointStore.this.save(consumer, sink, lease.partition(), lease.partitions(), lease, checkpoint);
            }

            @Override
            public long lost(String consumer, String sink) {
                return lost.getOrDefault(key(consumer, sink, lease.partition()), 0L);
            }
        };
    }

    private Map<String, Checkpoint> load(String consumer, int part, int parts, Set<String> sinks) {
        for (String sink : sinks) {
            if (sink.isEmpty()) {
                throw new IllegalArgumentException("a sink's name must not be empty");
            }
        }
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ps = c.prepareStatement(lock)) {
                    ps.setString(1, consumer);
                    ps.executeQuery().close();
                }
                String start;
                boolean repartitioned;
                try (PreparedStatement ps = c.prepareStatement(behind)) {
                    ps.setString(1, consumer);
                    ps.setString(2, consumer);
                    ps.setString(3, consumer);
                    ps.setInt(4, parts);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        start = rs.getString(1);
                        repartitioned = rs.getBoolean(2);
                    }
                }
                if (repartitioned) {
                    try (PreparedStatement ps = c.prepareStatement(repartition)) {
                        ps.setString(1, consumer);
                        ps.setInt(2, parts);
                        ps.setString(3, start);
                        ps.setInt(4, parts);
                        ps.setString(5, consumer);
                        ps.executeUpdate();
                    }
                    log.warn("consumer {} now has {} partitions, not as many as before: every partition of every sink starts again at {},"
                            + " behind all the checkpoints saved before (changes since are delivered again)", consumer, parts, start);
                }
                try (PreparedStatement ps = c.prepareStatement(register)) {
                    ps.setString(1, consumer);
                    ps.setInt(2, parts);
                    ps.setString(3, start);
                    ps.setArray(4, c.createArrayOf("text", sinks.toArray()));
                    ps.setInt(5, parts);
                    ps.executeUpdate();
                }
                if (!sinks.isEmpty()) {
                    try (PreparedStatement ps = c.prepareStatement(retire)) {
                        ps.setString(1, consumer);
                        ps.executeUpdate();
                    }
                }
                Map<String, Checkpoint> checkpoints = new LinkedHashMap<>();
                try (PreparedStatement ps = c.prepareStatement(select)) {
                    ps.setString(1, consumer);
                    ps.setInt(2, part);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            checkpoints.put(rs.getString(1), new Checkpoint(rs.getString(2)));
                            lost.put(key(consumer, rs.getString(1), part), rs.getLong(3));
                        }
                    }
                }
                c.commit();
                return checkpoints;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw PostgresException.of("load the checkpoints of consumer " + consumer + (parts > 1 ? ", partition " + part : ""), e);
        }
    }

    private void save(String consumer, String sink, int part, int parts, Lease lease, Checkpoint checkpoint) {
        ChangeLog.Position.parse(checkpoint.position());
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(lease == null ? upsert : fencedUpsert)) {
            ps.setString(1, consumer);
            ps.setString(2, sink);
            ps.setInt(3, part);
            ps.setInt(4, parts);
            ps.setString(5, checkpoint.position());
            if (lease != null) {
                ps.setString(6, consumer);
                ps.setInt(7, part);
                ps.setLong(8, lease.epoch());
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new LeaseLostException("the checkpoint of sink " + sink + " of consumer " + consumer + ", partition " + part
                            + ", was not saved: epoch " + lease.epoch() + " of its lease has ended, another process leads it now");
                }
                lost.put(key(consumer, sink, part), rs.getLong(1));
            }
        } catch (SQLException e) {
            throw PostgresException.of("save the checkpoint of sink " + sink + " of consumer " + consumer, e);
        }
    }

    private static String key(String consumer, String sink, int part) {
        return consumer + '\u0000' + sink + '\u0000' + part;
    }
}
