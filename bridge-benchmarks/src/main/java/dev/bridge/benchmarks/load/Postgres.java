package dev.bridge.benchmarks.load;

import dev.bridge.postgres.ConnectionFactory;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The PostgreSQL server of a load test: an embedded one started with durable commits
 * ({@code fsync=on}, {@code synchronous_commit=on}, both set explicitly; the embedded server's
 * builder turns {@code synchronous_commit} off), or a given one used as it is configured.
 */
final class Postgres implements AutoCloseable {

    /** The settings that decide what a commit costs, printed with the results. */
    private static final List<String> SHOWN = List.of("server_version", "fsync", "synchronous_commit", "wal_sync_method",
            "full_page_writes", "shared_buffers", "max_wal_size", "wal_compression");

    private final Endpoint endpoint;
    private final EmbeddedPostgres embedded;
    private final Path dataDir;

    private Postgres(Endpoint endpoint, EmbeddedPostgres embedded, Path dataDir) {
        this.endpoint = endpoint;
        this.embedded = embedded;
        this.dataDir = dataDir;
    }

    /** Starts an embedded server whose data lives in a new directory under {@code parent} (the temporary directory if empty). */
    static Postgres embedded(Optional<Path> parent) {
        try {
            Path dir = parent.isPresent()
                    ? Files.createTempDirectory(Files.createDirectories(parent.get()), "bridge-load-pg-")
                    : Files.createTempDirectory("bridge-load-pg-");
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setDataDirectory(dir)
                    .setCleanDataDirectory(true)
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .start();
            return new Postgres(new Endpoint("jdbc:postgresql://localhost:" + pg.getPort() + "/postgres", "postgres", null), pg, dir);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the embedded PostgreSQL", e);
        }
    }

    static Postgres given(Endpoint endpoint) {
        return new Postgres(endpoint, null, null);
    }

    Endpoint endpoint() {
        return endpoint;
    }

    /** The embedded server's CPU time, where it can be read; empty for a given server. */
    Optional<ServerCpu> cpu() {
        return dataDir == null ? Optional.empty() : Optional.ofNullable(ServerCpu.of(dataDir));
    }

    /** One line on the server, its durability settings and, when embedded, where its data is. */
    String describe() {
        Map<String, String> settings = new LinkedHashMap<>();
        try (Connection c = endpoint.open("bridge-load-admin"); Statement s = c.createStatement()) {
            for (String name : SHOWN) {
                try (ResultSet rs = s.executeQuery("SELECT current_setting('" + name + "', true)")) {
                    rs.next();
                    settings.put(name, rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the settings of PostgreSQL at " + endpoint.jdbcUrl() + ": " + e.getMessage(), e);
        }
        StringBuilder sb = new StringBuilder(embedded != null ? "embedded PostgreSQL" : "PostgreSQL at " + endpoint.jdbcUrl());
        settings.forEach((k, v) -> sb.append(", ").append(k).append('=').append(v));
        if (dataDir != null) {
            sb.append(", data in ").append(dataDir).append(" (").append(fileSystem(dataDir)).append(')');
        }
        return sb.toString();
    }

    private static String fileSystem(Path dir) {
        try {
            String type = Files.getFileStore(dir).type();
            return type.equals("tmpfs") ? "tmpfs: fsync costs nothing there, use --pg-data-dir on a disk" : type;
        } catch (IOException e) {
            return "file system unknown";
        }
    }

    @Override
    public void close() throws IOException {
        if (embedded != null) {
            embedded.close();
        }
    }

    /** Where PostgreSQL is and as whom to connect; the password never appears in {@link #toString()}. */
    record Endpoint(String jdbcUrl, String user, String password) {

        Connection open(String applicationName) throws SQLException {
            Properties props = new Properties();
            if (user != null) {
                props.setProperty("user", user);
            }
            if (password != null) {
                props.setProperty("password", password);
            }
            props.setProperty("ApplicationName", applicationName);
            return DriverManager.getConnection(jdbcUrl, props);
        }

        ConnectionFactory listenerConnections() {
            return ConnectionFactory.of(jdbcUrl, user, password);
        }

        /** Runs one statement on a connection of its own. */
        void execute(String sql) throws SQLException {
            try (Connection c = open("bridge-load-admin"); Statement s = c.createStatement()) {
                s.execute(sql);
            }
        }

        @Override
        public String toString() {
            return jdbcUrl + (user == null ? "" : " as " + user);
        }
    }
}
