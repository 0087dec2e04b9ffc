package dev.bridge.postgres;

import dev.bridge.core.Change;
import dev.bridge.core.ChangeJson;
import dev.bridge.core.DeadLetter;
import dev.bridge.core.port.DeadLetterStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Dead letters in {@code bridge_dead_letters}, each with the change as its JSON. */
final class PostgresDeadLetterStore implements DeadLetterStore {

    private final DataSource dataSource;
    private final String insert;
    private final String selectAll;
    private final String selectSink;
    private final String delete;
    private final String countAll;
    private final String countSink;

    PostgresDeadLetterStore(DataSource dataSource, PostgresOptions options) {
        this.dataSource = dataSource;
        String s = options.quotedSchema();
        insert = "INSERT INTO " + s + ".bridge_dead_letters (sink, seq, change, reason, attempts) VALUES (?, ?, ?, ?, ?)"
                + " RETURNING id, failed_at";
        String columns = "SELECT id, sink, change, reason, attempts, failed_at FROM " + s + ".bridge_dead_letters";
        selectAll = columns + " WHERE id > ? ORDER BY id LIMIT ?";
        selectSink = columns + " WHERE sink = ? AND id > ? ORDER BY id LIMIT ?";
        delete = "DELETE FROM " + s + ".bridge_dead_letters WHERE id = ?";
        countAll = "SELECT count(*) FROM " + s + ".bridge_dead_letters";
        countSink = countAll + " WHERE sink = ?";
    }

    @Override
    public DeadLetter add(String sink, Change change, String reason, int attempts) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(insert)) {
            ps.setString(1, sink);
            ps.setLong(2, change.seq());
            ps.setString(3, ChangeJson.toJson(change));
            ps.setString(4, reason);
            ps.setInt(5, attempts);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new DeadLetter(rs.getLong(1), sink, change, reason, attempts, rs.getObject(2, OffsetDateTime.class).toInstant());
            }
        } catch (SQLException e) {
            throw PostgresException.of("store a dead letter of sink " + sink, e);
        }
    }

    @Override
    public List<DeadLetter> list(String sink, long afterId, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, got " + limit);
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sink == null ? selectAll : selectSink)) {
            int i = 1;
            if (sink != null) {
                ps.setString(i++, sink);
            }
            ps.setLong(i++, afterId);
            ps.setInt(i, limit);
            List<DeadLetter> letters = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    letters.add(new DeadLetter(rs.getLong(1), rs.getString(2), ChangeJson.read(rs.getString(3)), rs.getString(4),
                            rs.getInt(5), rs.getObject(6, OffsetDateTime.class).toInstant()));
                }
            }
            return letters;
        } catch (SQLException e) {
            throw PostgresException.of("list dead letters", e);
        }
    }

    @Override
    public long count(String sink) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sink == null ? countAll : countSink)) {
            if (sink != null) {
                ps.setString(1, sink);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw PostgresException.of("count dead letters", e);
        }
    }

    @Override
    public boolean remove(long id) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(delete)) {
            ps.setLong(1, id);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw PostgresException.of("remove dead letter " + id, e);
        }
    }
}
