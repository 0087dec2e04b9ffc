package dev.bridge.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/** One embedded PostgreSQL for the whole test JVM; each test works in its own schema and channel. */
final class TestPostgres {

    private static final AtomicInteger NAMES = new AtomicInteger();
    private static EmbeddedPostgres shared;

    private TestPostgres() {
    }

    static synchronized EmbeddedPostgres shared() {
        if (shared == null) {
            try {
                shared = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException("could not start the embedded PostgreSQL", e);
            }
            EmbeddedPostgres started = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (IOException ignored) {
                    // the JVM is going away
                }
            }));
        }
        return shared;
    }

    static DataSource dataSource() {
        return shared().getPostgresDatabase();
    }

    static ConnectionFactory listenerConnections(EmbeddedPostgres pg) {
        return ConnectionFactory.of("jdbc:postgresql://localhost:" + pg.getPort() + "/postgres", "postgres", null);
    }

    static ConnectionFactory listenerConnections() {
        return listenerConnections(shared());
    }

    /** Options with a schema and channel no other test uses. */
    static PostgresOptions freshOptions() {
        String name = "t" + ProcessHandle.current().pid() + "_" + NAMES.incrementAndGet();
        return PostgresOptions.defaults().withSchema(name).withChannel(name);
    }

    static BridgePostgres bridge(PostgresOptions options) {
        return BridgePostgres.create(dataSource(), listenerConnections(), options);
    }

    static int serverMajorVersion(DataSource dataSource) {
        return Integer.parseInt(queryString(dataSource, "SELECT current_setting('server_version_num')")) / 10_000;
    }

    static String queryString(DataSource dataSource, String sql) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    static void execute(DataSource dataSource, String sql) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }
}
