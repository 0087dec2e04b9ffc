package dev.bridge.postgres;

import dev.bridge.core.Append;
import dev.bridge.core.Event;
import dev.bridge.core.Json;
import dev.bridge.core.Key;
import dev.bridge.core.Snapshot;
import dev.bridge.core.VersionConflictException;
import dev.bridge.core.port.EventStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * {@link EventStore} on {@code bridge_snaps} and {@code bridge_events}. Each write is one transaction
 * whose snapshot change the capture trigger streams. Deleting an object removes its snapshot and its
 * history; a later append with expected version 0 starts it again at version 1.
 */
final class PostgresEventStore implements EventStore {

    private final DataSource dataSource;
    private final String insertSnap;
    private final String updateSnap;
    private final String insertEvent;
    private final String selectVersion;
    private final String selectSnap;
    private final String selectEvents;
    private final String deleteSnap;
    private final String deleteEvents;

    PostgresEventStore(DataSource dataSource, PostgresOptions options) {
        this.dataSource = dataSource;
        String s = options.quotedSchema();
        insertSnap = "INSERT INTO " + s + ".bridge_snaps (bucket, id, version, ts, val) VALUES (?, ?, 1, now(), ?::jsonb)"
                + " ON CONFLICT (bucket, id) DO NOTHING RETURNING ts";
        updateSnap = "UPDATE " + s + ".bridge_snaps SET version = version + 1, ts = now(), val = ?::jsonb"
                + " WHERE bucket = ? AND id = ? AND version = ? RETURNING ts";
        insertEvent = "INSERT INTO " + s + ".bridge_events (bucket, id, version, type, ts, val) VALUES (?, ?, ?, ?, ?, ?::jsonb)";
        selectVersion = "SELECT version FROM " + s + ".bridge_snaps WHERE bucket = ? AND id = ?";
        selectSnap = "SELECT version, ts, val::text FROM " + s + ".bridge_snaps WHERE bucket = ? AND id = ?";
        selectEvents = "SELECT version, type, ts, val::text FROM " + s + ".bridge_events WHERE bucket = ? AND id = ? ORDER BY version";
        deleteSnap = "DELETE FROM " + s + ".bridge_snaps WHERE bucket = ? AND id = ? AND version = ?";
        deleteEvents = "DELETE FROM " + s + ".bridge_events WHERE bucket = ? AND id = ?";
    }

    @Override
    public Snapshot append(Append append) {
        return appendAll(List.of(append)).get(0);
    }

    @Override
    public List<Snapshot> appendAll(List<Append> appends) {
        if (appends.isEmpty()) {
            return List.of();
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                List<Snapshot> snapshots = new ArrayList<>(appends.size());
                for (Append a : appends) {
                    snapshots.add(append(c, a));
                }
                c.commit();
                return snapshots;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw PostgresException.of("append " + appends.size() + " event(s)", e);
        }
    }

    private Snapshot append(Connection c, Append a) throws SQLException {
        Key key = a.key();
        OffsetDateTime ts;
        if (a.expectedVersion() == 0) {
            try (PreparedStatement ps = c.prepareStatement(insertSnap)) {
                ps.setString(1, key.bucket());
                ps.setString(2, key.id());
                ps.setString(3, a.state().text());
                ts = returnedTs(ps);
            }
        } else {
            try (PreparedStatement ps = c.prepareStatement(updateSnap)) {
                ps.setString(1, a.state().text());
                ps.setString(2, key.bucket());
                ps.setString(3, key.id());
                ps.setLong(4, a.expectedVersion());
                ts = returnedTs(ps);
            }
        }
        if (ts == null) {
            throw new VersionConflictException(key, a.expectedVersion(), currentVersion(c, key));
        }
        try (PreparedStatement ps = c.prepareStatement(insertEvent)) {
            ps.setString(1, key.bucket());
            ps.setString(2, key.id());
            ps.setLong(3, a.newVersion());
            ps.setInt(4, a.eventType());
            ps.setObject(5, ts);
            ps.setString(6, a.event().text());
            ps.executeUpdate();
        }
        return new Snapshot(key, a.newVersion(), ts.toInstant(), a.state());
    }

    @Override
    public Optional<Snapshot> load(Key key) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(selectSnap)) {
            ps.setString(1, key.bucket());
            ps.setString(2, key.id());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Snapshot(key, rs.getLong(1), rs.getObject(2, OffsetDateTime.class).toInstant(),
                        Json.parse(rs.getString(3))));
            }
        } catch (SQLException e) {
            throw PostgresException.of("load " + key.bucket() + "/" + key.id(), e);
        }
    }

    @Override
    public List<Event> history(Key key) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(selectEvents)) {
            ps.setString(1, key.bucket());
            ps.setString(2, key.id());
            List<Event> events = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    events.add(new Event(key, rs.getLong(1), rs.getInt(2), rs.getObject(3, OffsetDateTime.class).toInstant(),
                            Json.parse(rs.getString(4))));
                }
            }
            return events;
        } catch (SQLException e) {
            throw PostgresException.of("read the history of " + key.bucket() + "/" + key.id(), e);
        }
    }

    @Override
    public void delete(Key key, long expectedVersion) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (expectedVersion == 0) {
                    long actual = currentVersion(c, key);
                    if (actual != 0) {
                        throw new VersionConflictException(key, 0, actual);
                    }
                } else {
                    try (PreparedStatement ps = c.prepareStatement(deleteSnap)) {
                        ps.setString(1, key.bucket());
                        ps.setString(2, key.id());
                        ps.setLong(3, expectedVersion);
                        if (ps.executeUpdate() == 0) {
                            throw new VersionConflictException(key, expectedVersion, currentVersion(c, key));
                        }
                    }
                    try (PreparedStatement ps = c.prepareStatement(deleteEvents)) {
                        ps.setString(1, key.bucket());
                        ps.setString(2, key.id());
                        ps.executeUpdate();
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw PostgresException.of("delete " + key.bucket() + "/" + key.id(), e);
        }
    }

    private static OffsetDateTime returnedTs(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getObject(1, OffsetDateTime.class) : null;
        }
    }

    private long currentVersion(Connection c, Key key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(selectVersion)) {
            ps.setString(1, key.bucket());
            ps.setString(2, key.id());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }
}
