package dev.bridge.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The registered consumers of the change log. Each holds back pruning until it has passed a change;
 * drop one that is no longer used so it stops holding the log. Thread-safe.
 */
public final class Consumers {

    /**
     * A consumer and how far it is: {@code checkpoint} is a snapshot (with a position within a read,
     * while catching up), {@code pending} the logged changes it has not passed (counted from the
     * snapshot alone, so at most a page too many while catching up), {@code lost} the changes pruned
     * after the maximum retention before it read them, the last of them made at {@code lostUntil}
     * (null if none).
     */
    public record Consumer(String name, String checkpoint, Instant updatedAt, long pending, long lost, Instant lostUntil) {
    }

    private final DataSource dataSource;
    private final String schema;

    Consumers(DataSource dataSource, PostgresOptions options) {
        this.dataSource = dataSource;
        this.schema = options.quotedSchema();
    }

    public List<Consumer> list() {
        String sql = "SELECT k.name, k.checkpoint, k.updated_at, k.lost, k.lost_until,"
                + " (SELECT count(*) FROM " + schema + ".bridge_changes c WHERE NOT pg_visible_in_snapshot(c.txid, "
                + ChangeLog.passedSnapshot("k.checkpoint") + "))"
                + " FROM " + schema + ".bridge_consumers k ORDER BY k.name";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            List<Consumer> consumers = new ArrayList<>();
            while (rs.next()) {
                OffsetDateTime lostUntil = rs.getObject(5, OffsetDateTime.class);
                consumers.add(new Consumer(rs.getString(1), rs.getString(2), rs.getObject(3, OffsetDateTime.class).toInstant(), rs.getLong(6),
                        rs.getLong(4), lostUntil == null ? null : lostUntil.toInstant()));
            }
            return consumers;
        } catch (SQLException e) {
            throw PostgresException.of("list the consumers", e);
        }
    }

    /** Registers a consumer at the beginning of the retained log, if it is not registered yet. */
    public void register(String name) {
        update("INSERT INTO " + schema + ".bridge_consumers (name, checkpoint) VALUES (?, '" + ChangeLog.BEGINNING + "')"
                + " ON CONFLICT (name) DO NOTHING", name, "register consumer " + name);
    }

    /** Moves a consumer back to the beginning of the retained log: it will receive every retained change again. */
    public boolean reset(String name) {
        return update("UPDATE " + schema + ".bridge_consumers SET checkpoint = '" + ChangeLog.BEGINNING + "', updated_at = now()"
                + " WHERE name = ?", name, "reset consumer " + name) == 1;
    }

    /** Unregisters a consumer; returns whether it existed. */
    public boolean drop(String name) {
        return update("DELETE FROM " + schema + ".bridge_consumers WHERE name = ?", name, "drop consumer " + name) == 1;
    }

    private int update(String sql, String name, String action) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, name);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw PostgresException.of(action, e);
        }
    }
}
