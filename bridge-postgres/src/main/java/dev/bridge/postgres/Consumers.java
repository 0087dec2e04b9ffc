package dev.bridge.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The registered readers of the change log: each sink of each consumer keeps its own position. Each
 * holds back pruning until it has passed a change; drop one that is no longer used so it stops
 * holding the log. Thread-safe.
 */
public final class Consumers {

    /**
     * One sink of a consumer and how far it is: {@code checkpoint} is a snapshot (with a position
     * within a read, while catching up), {@code pending} the logged changes of its partition it has not passed
     * (counted from the snapshot alone, so at most a page too many while catching up), {@code lost}
     * the changes pruned after the maximum retention before it read them, the last of them made at
     * {@code lostUntil} (null if none). {@code sink} is empty for a consumer's single position from
     * before each sink had its own (schema version 6); its sinks start from it when they first run.
     * A consumer split into {@code parts} partitions has a position per sink and {@code part}.
     */
    public record Consumer(String name, String sink, int part, int parts, String checkpoint, Instant updatedAt, long pending, long lost,
            Instant lostUntil) {
    }

    /**
     * Who leads one partition of a consumer: {@code live} while its lease is renewed and not released.
     */
    public record LeaseHolder(int part, int parts, String holder, long epoch, Instant since, Instant renewedAt, boolean live) {
    }

    /**
     * One process of a consumer: {@code live} while it renews its membership and its session lasts;
     * the oldest live ones get a partition more.
     */
    public record Member(String member, int parts, Instant joinedAt, Instant seenAt, boolean live) {
    }

    private final DataSource dataSource;
    private final String table;
    private final String schema;
    private final long leaseMillis;

    Consumers(DataSource dataSource, PostgresOptions options) {
        this.dataSource = dataSource;
        this.leaseMillis = options.leaseTime().toMillis();
        this.schema = options.quotedSchema();
        this.table = schema + ".bridge_consumers";
    }

    /** Every consumer's sinks, by consumer and sink name. */
    public List<Consumer> list() {
        String sql = "SELECT k.name, k.sink, k.checkpoint, k.updated_at, k.lost, k.lost_until,"
                + " (SELECT count(*) FROM " + schema + ".bridge_changes c WHERE NOT pg_visible_in_snapshot(c.txid, "
                + ChangeLog.passedSnapshot("k.checkpoint") + ") AND (k.parts = 1 OR " + LogSlice.partitionOf("c.change", "k.parts")
                + " = k.part)), k.part, k.parts"
                + " FROM " + table + " k ORDER BY k.name, k.sink, k.part";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            List<Consumer> consumers = new ArrayList<>();
            while (rs.next()) {
                OffsetDateTime lostUntil = rs.getObject(6, OffsetDateTime.class);
                consumers.add(new Consumer(rs.getString(1), rs.getString(2), rs.getInt(8), rs.getInt(9), rs.getString(3),
                        rs.getObject(4, OffsetDateTime.class).toInstant(), rs.getLong(7), rs.getLong(5),
                        lostUntil == null ? null : lostUntil.toInstant()));
            }
            return consumers;
        } catch (SQLException e) {
            throw PostgresException.of("list the consumers", e);
        }
    }

    /** The lease of each partition of the consumer that has had a leader, by partition. */
    public List<LeaseHolder> leases(String consumer) {
        String sql = "SELECT part, parts, holder, epoch, since, renewed_at, NOT released AND renewed_at > now() - ? * interval '1 millisecond'"
                + " FROM " + schema + ".bridge_leases WHERE consumer = ? ORDER BY part";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, leaseMillis);
            ps.setString(2, consumer);
            List<LeaseHolder> leases = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    leases.add(new LeaseHolder(rs.getInt(1), rs.getInt(2), rs.getString(3), rs.getLong(4),
                            rs.getObject(5, OffsetDateTime.class).toInstant(), rs.getObject(6, OffsetDateTime.class).toInstant(), rs.getBoolean(7)));
                }
            }
            return leases;
        } catch (SQLException e) {
            throw PostgresException.of("list the leases of consumer " + consumer, e);
        }
    }

    /** The processes of the consumer seen in the last minute, oldest first. */
    public List<Member> members(String consumer) {
        String sql = "SELECT member, parts, joined_at, seen_at, seen_at > now() - ? * interval '1 millisecond'"
                + " AND EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = m.pid) FROM " + schema
                + ".bridge_members m WHERE consumer = ? ORDER BY joined_at, member";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, leaseMillis);
            ps.setString(2, consumer);
            List<Member> members = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    members.add(new Member(rs.getString(1), rs.getInt(2), rs.getObject(3, OffsetDateTime.class).toInstant(),
                            rs.getObject(4, OffsetDateTime.class).toInstant(), rs.getBoolean(5)));
                }
            }
            return members;
        } catch (SQLException e) {
            throw PostgresException.of("list the processes of consumer " + consumer, e);
        }
    }

    /**
     * Registers a sink of a consumer at the beginning of the retained log, if it is not registered yet.
     *
     * @throws IllegalArgumentException if {@code sink} is empty
     */
    public void register(String name, String sink) {
        if (sink.isEmpty()) {
            throw new IllegalArgumentException("a sink's name must not be empty");
        }
        update("INSERT INTO " + table + " (name, sink, checkpoint) VALUES (?, ?, '" + ChangeLog.BEGINNING + "')"
                + " ON CONFLICT (name, sink, part) DO NOTHING", name, Optional.of(sink), "register sink " + sink + " of consumer " + name);
    }

    /**
     * Moves a consumer's sinks (or one of them), in every partition, back to the beginning of the
     * retained log: they will receive every retained change again. Returns how many positions were moved.
     */
    public int reset(String name, Optional<String> sink) {
        return update("UPDATE " + table + " SET checkpoint = '" + ChangeLog.BEGINNING + "', updated_at = now()"
                + " WHERE name = ?" + (sink.isPresent() ? " AND sink = ?" : ""), name, sink, "reset consumer " + name);
    }

    /** Unregisters a consumer's sinks (or one of them), in every partition; returns how many positions were dropped. */
    public int drop(String name, Optional<String> sink) {
        return update("DELETE FROM " + table + " WHERE name = ?" + (sink.isPresent() ? " AND sink = ?" : ""), name, sink,
                "drop consumer " + name);
    }

    private int update(String sql, String name, Optional<String> sink, String action) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, name);
            if (sink.isPresent()) {
                ps.setString(2, sink.get());
            }
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw PostgresException.of(action, e);
        }
    }
}
