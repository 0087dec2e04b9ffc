package dev.bridge.postgres;

import dev.bridge.core.Checkpoint;
import dev.bridge.core.port.CheckpointStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Consumers' checkpoints in {@code bridge_consumers}. A consumer is registered when it first loads
 * or saves its checkpoint; from then on the log keeps every change it has not passed. A new consumer
 * starts at the beginning of the retained log. Changes older than the maximum retention are pruned
 * even if a consumer has not passed them; {@link #lost} says how many each consumer missed.
 */
final class PostgresCheckpointStore implements CheckpointStore {

    private final DataSource dataSource;
    private final String register;
    private final String select;
    private final String upsert;
    private final java.util.Map<String, Long> lost = new java.util.concurrent.ConcurrentHashMap<>();

    PostgresCheckpointStore(DataSource dataSource, PostgresOptions options) {
        this.dataSource = dataSource;
        String s = options.quotedSchema();
        register = "INSERT INTO " + s + ".bridge_consumers (name, checkpoint) VALUES (?, ?) ON CONFLICT (name) DO NOTHING";
        select = "SELECT checkpoint, lost FROM " + s + ".bridge_consumers WHERE name = ?";
        upsert = "INSERT INTO " + s + ".bridge_consumers (name, checkpoint) VALUES (?, ?)"
                + " ON CONFLICT (name) DO UPDATE SET checkpoint = excluded.checkpoint, updated_at = now() RETURNING lost";
    }

    @Override
    public Optional<Checkpoint> load(String consumer) {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement(register)) {
                ps.setString(1, consumer);
                ps.setString(2, ChangeLog.BEGINNING);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(select)) {
                ps.setString(1, consumer);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    lost.put(consumer, rs.getLong(2));
                    return Optional.of(new Checkpoint(rs.getString(1)));
                }
            }
        } catch (SQLException e) {
            throw PostgresException.of("load the checkpoint of consumer " + consumer, e);
        }
    }

    @Override
    public void save(String consumer, Checkpoint checkpoint) {
        ChangeLog.Position.parse(checkpoint.position());
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(upsert)) {
            ps.setString(1, consumer);
            ps.setString(2, checkpoint.position());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                lost.put(consumer, rs.getLong(1));
            }
        } catch (SQLException e) {
            throw PostgresException.of("save the checkpoint of consumer " + consumer, e);
        }
    }

    /** What the log's pruning after its maximum retention took from this consumer, as of the last load or save. */
    @Override
    public long lost(String consumer) {
        return lost.getOrDefault(consumer, 0L);
    }
}
