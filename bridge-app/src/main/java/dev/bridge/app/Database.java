package dev.bridge.app;

import dev.bridge.app.config.PostgresSettings;
import dev.bridge.postgres.ConnectionFactory;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.LoggerFactory;

/**
 * The database Bridge works on: the configured server, or an embedded PostgreSQL (data kept in a
 * directory) when none is configured. Its data source and listener connections may be handed out
 * before {@link #start()} and work once it has run.
 */
public final class Database implements AutoCloseable {

    private static final org.slf4j.Logger log = LoggerFactory.getLogger(Database.class);

    private final PostgresSettings settings;
    private volatile PGSimpleDataSource dataSource;
    private volatile ConnectionFactory listener;
    private EmbeddedPostgres embedded;

    public Database(PostgresSettings settings) {
        this.settings = settings;
    }

    /**
     * Starts the embedded server if there is no configured one, then checks a connection opens.
     *
     * @throws StartupException saying what failed and which setting to check
     */
    public synchronized void start() {
        if (dataSource != null) {
            return;
        }
        String host = settings.host();
        int port = settings.port();
        String database = settings.database();
        String user = settings.user();
        String password = settings.password();
        if (settings.embedded()) {
            port = startEmbedded();
            host = "127.0.0.1";
            database = "postgres";
            user = "postgres";
            password = "";
        }
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {host});
        ds.setPortNumbers(new int[] {port});
        ds.setDatabaseName(database);
        ds.setUser(user);
        if (!password.isEmpty()) {
            ds.setPassword(password);
        }
        ds.setSslMode(settings.embedded() ? "disable" : settings.sslMode());
        ds.setConnectTimeout((int) Math.max(1, settings.connectTimeout().toSeconds()));
        ds.setLoginTimeout((int) Math.max(1, settings.connectTimeout().toSeconds()));
        ds.setApplicationName("bridge");
        try (Connection c = ds.getConnection()) {
            c.isValid(5);
        } catch (SQLException e) {
            close();
            throw connectFailure(host, port, database, user, e);
        }
        String url = "jdbc:postgresql://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/"
                + URLEncoder.encode(database, StandardCharsets.UTF_8) + "?sslmode=" + ds.getSslMode()
                + "&connectTimeout=" + ds.getConnectTimeout() + "&loginTimeout=" + ds.getLoginTimeout();
        listener = ConnectionFactory.of(url, user, password.isEmpty() ? null : password);
        dataSource = ds;
        log.info("connected to {}", describe(host, port, database));
    }

    /** Connections for writes and administration. */
    public DataSource dataSource() {
        return new Started();
    }

    /** The listener's dedicated connections. */
    public ConnectionFactory listenerConnections() {
        return new ConnectionFactory() {
            @Override
            public Connection open() throws SQLException {
                ConnectionFactory f = listener;
                if (f == null) {
                    throw new SQLException("the database has not been started");
                }
                return f.open();
            }

            /** The server, for the listener's messages. */
            @Override
            public String toString() {
                return describe();
            }
        };
    }

    /** Where it is, for messages: {@code postgres at db:5432/app} or the embedded server's directory. */
    public String describe() {
        return settings.embedded() ? "embedded postgres in " + settings.embeddedDataDir().toAbsolutePath()
                : "postgres at " + settings.host() + ":" + settings.port() + "/" + settings.database();
    }

    /** Stops the embedded server, if it runs. */
    @Override
    public synchronized void close() {
        dataSource = null;
        listener = null;
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException e) {
                log.warn("could not stop the embedded postgres cleanly: {}", e.getMessage());
            }
            embedded = null;
        }
    }

    private int startEmbedded() {
        Path dir = settings.embeddedDataDir().toAbsolutePath();
        boolean fresh = !Files.exists(dir.resolve("PG_VERSION"));
        try {
            Files.createDirectories(dir);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false);
            if (settings.embeddedPort() != 0) {
                builder.setPort(settings.embeddedPort());
            }
            embedded = builder.start();
        } catch (IOException | RuntimeException e) {
            throw new StartupException("could not start the embedded postgres in " + dir + " (" + e.getMessage() + ")"
                    + "; check that the directory is writable and no other bridge uses it (bridge.postgres.embedded.data-dir),"
                    + " or point bridge.postgres.host (DB_HOST) at a server", e);
        }
        log.info("{} the embedded postgres in {} on port {}", fresh ? "created" : "started", dir, embedded.getPort());
        return embedded.getPort();
    }

    private static String describe(String host, int port, String database) {
        return "postgres at " + host + ":" + port + "/" + database;
    }

    static StartupException connectFailure(String host, int port, String database, String user, SQLException e) {
        String where = host + ":" + port;
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String message;
        if (state.equals("28P01") || state.equals("28000")) {
            message = "postgres at " + where + " refused user '" + user + "' (authentication failed); check bridge.postgres.user"
                    + " and bridge.postgres.password, or DB_USER and DB_PASSWORD";
        } else if (state.equals("08004") && String.valueOf(e.getMessage()).contains("no password was provided")) {
            message = "postgres at " + where + " asks user '" + user + "' for a password and none is set; set"
                    + " bridge.postgres.password or DB_PASSWORD";
        } else if (state.equals("3D000")) {
            message = "postgres at " + where + " has no database '" + database + "'; check bridge.postgres.database or DB_DATABASE";
        } else {
            message = "could not connect to postgres at " + where + " (" + reason(e) + "); check bridge.postgres.host and"
                    + " bridge.postgres.port, or DB_HOST and DB_PORT";
        }
        return new StartupException(message, e);
    }

    private static String reason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return "connection refused";
            }
            if (t instanceof UnknownHostException) {
                return "unknown host";
            }
            if (t instanceof NoRouteToHostException) {
                return "no route to host";
            }
            if (t instanceof SocketTimeoutException) {
                return "timed out";
            }
        }
        String text = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }

    /** Hands out connections of the started database. */
    private final class Started implements DataSource {
        private PGSimpleDataSource target() throws SQLException {
            PGSimpleDataSource ds = dataSource;
            if (ds == null) {
                throw new SQLException("the database has not been started", "08003");
            }
            return ds;
        }

        @Override
        public Connection getConnection() throws SQLException {
            return target().getConnection();
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            return target().getConnection(username, password);
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public <T> T unwrap(Class<T> type) throws SQLException {
            throw new SQLException("not a wrapper of " + type.getName());
        }

        @Override
        public boolean isWrapperFor(Class<?> type) {
            return false;
        }
    }
}
