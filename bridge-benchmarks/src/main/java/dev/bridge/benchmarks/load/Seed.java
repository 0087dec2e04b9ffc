package dev.bridge.benchmarks.load;

import dev.bridge.postgres.BridgePostgres;
import dev.bridge.postgres.PostgresOptions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/** Creates the objects of a load test before its writers start, without capturing them. */
final class Seed {

    private Seed() {
    }

    /**
     * Bridge's schema installed in {@code schema} (NOTIFY channel of the same name), with its objects created as by
     * {@link #objects}; returns the Bridge over it, whose event store the writers use.
     */
    static BridgePostgres installed(Postgres.Endpoint postgres, PerThreadDataSource connections, String schema, int ids, long version,
            Values values) throws SQLException {
        BridgePostgres bridge = BridgePostgres.create(connections, postgres.listenerConnections(),
                PostgresOptions.defaults().withSchema(schema).withChannel(schema));
        bridge.schema().install();
        objects(postgres, schema, ids, version, values);
        return bridge;
    }

    /**
     * Objects {@code 0 … ids-1} at {@code version} with that version's value, and their events, in
     * one transaction with Bridge's capture trigger disabled; then vacuumed, analysed and
     * checkpointed, so that neither autovacuum nor a checkpoint is owed to the seeding while the
     * writers run.
     */
    static void objects(Postgres.Endpoint postgres, String schema, int ids, long version, Values values) throws SQLException {
        try (Connection c = postgres.open("bridge-load-admin")) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("ALTER TABLE " + schema + ".bridge_snaps DISABLE TRIGGER bridge_capture");
            }
            insert(c, "INSERT INTO " + schema + ".bridge_snaps (bucket, id, version, ts, val)"
                    + " SELECT ?, i::text, ?, now(), ?::jsonb FROM generate_series(0, ? - 1) AS i", version, values.at(version).text(), ids);
            insert(c, "INSERT INTO " + schema + ".bridge_events (bucket, id, version, type, ts, val)"
                    + " SELECT ?, i::text, ?, 1, now(), ?::jsonb FROM generate_series(0, ? - 1) AS i", version, Writers.EVENT.text(), ids);
            try (Statement s = c.createStatement()) {
                s.execute("ALTER TABLE " + schema + ".bridge_snaps ENABLE TRIGGER bridge_capture");
            }
            c.commit();
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                s.execute("VACUUM ANALYZE " + schema + ".bridge_snaps, " + schema + ".bridge_events");
                try {
                    s.execute("CHECKPOINT");
                } catch (SQLException e) {
                    // Needs superuser or pg_checkpoint on a given server; the run goes on without it.
                }
            }
        }
    }

    private static void insert(Connection c, String sql, long version, String json, int ids) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, Subscriber.BUCKET);
            ps.setLong(2, version);
            ps.setString(3, json);
            ps.setInt(4, ids);
            ps.executeUpdate();
        }
    }
}
