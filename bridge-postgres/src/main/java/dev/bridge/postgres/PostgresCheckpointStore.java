package dev.bridge.postgres;

import dev.bridge.core.Checkpoint;
import dev.bridge.core.port.CheckpointStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * Each sink's checkpoint in {@code bridge_consumers}, one row per consumer and sink. A sink is
 * registered when its consumer first loads; from then on the log keeps every change it has not
 * passed. A sink new to a consumer that has checkpoints starts behind all of them, at the snapshot
 * {@code x:x:} where x is the least xmin of their snapshots (or at the consumer's single checkpoint
 * from before schema version 6, which is then removed); a sink of a new consumer at the beginning
 * of the retained log. Changes older than the maximum retention are
 * pruned even if a sink has not passed them; {@link #lost} says how many each sink missed.
 */
final class PostgresCheckpointStore implements CheckpointStore {

    /** The sink name of a consumer's single checkpoint from before each sink had its own. */
    static final String UNSPLIT = "";

    private final DataSource dataSource;
    private final String register;
    private final String retire;
    private final String select;
    private final String upsert;
    private final Map<String, Long> lost = new ConcurrentHashMap<>();

    PostgresCheckpointStore(DataSource dataSource, PostgresOptions options) {
        this.dataSource = dataSource;
        String k = options.quotedSchema() + ".bridge_consumers";
        register = "INSERT INTO " + k + " (name, sink, checkpoint) SELECT ?, s, coalesce("
                + "(SELECT checkpoint FROM " + k + " WHERE name = ? AND sink = ''),"
                + " (SELECT x || ':' || x || ':' FROM (SELECT pg_snapshot_xmin(" + ChangeLog.passedSnapshot("checkpoint") + ") AS x"
                + " FROM " + k + " WHERE name = ? AND sink <> '' ORDER BY 1 LIMIT 1) behind), '" + ChangeLog.BEGINNING + "')"
                + " FROM unnest(?::text[]) s ON CONFLICT (name, sink) DO NOTHING";
        retire = "DELETE FROM " + k + " WHERE name = ? AND sink = ''";
        select = "SELECT sink, checkpoint, lost FROM " + k + " WHERE name = ? AND sink <> ''";
        upsert = "INSERT INTO " + k + " (name, sink, checkpoint) VALUES (?, ?, ?)"
                + " ON CONFLICT (name, sink) DO UPDATE SET checkpoint = excluded.checkpoint, updated_at = now() RETURNING lost";
    }

    @Override
    public Map<String, Checkpoint> load(String consumer, Set<String> sinks) {
        for (String sink : sinks) {
            if (sink.isEmpty()) {
                throw new IllegalArgumentException("a sink's name must not be empty");
            }
        }
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ps = c.prepareStatement(register)) {
                    ps.setString(1, consumer);
                    ps.setString(2, consumer);
                    ps.setString(3, consumer);
                    ps.setArray(4, c.createArrayOf("text", sinks.toArray()));
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
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            checkpoints.put(rs.getString(1), new Checkpoint(rs.getString(2)));
                            lost.put(key(consumer, rs.getString(1)), rs.getLong(3));
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
            throw PostgresException.of("load the checkpoints of consumer " + consumer, e);
        }
    }

    @Override
    public void save(String consumer, String sink, Checkpoint checkpoint) {
        ChangeLog.Position.parse(checkpoint.position());
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(upsert)) {
            ps.setString(1, consumer);
            ps.setString(2, sink);
            ps.setString(3, checkpoint.position());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                lost.put(key(consumer, sink), rs.getLong(1));
            }
        } catch (SQLException e) {
            throw PostgresException.of("save the checkpoint of sink " + sink + " of consumer " + consumer, e);
        }
    }

    /** What the log's pruning after its maximum retention took from this sink, as of the last load or save. */
    @Override
    public long lost(String consumer, String sink) {
        return lost.getOrDefault(key(consumer, sink), 0L);
    }

    private static String key(String consumer, String sink) {
        return consumer + '\u0000' + sink;
    }
}
