package dev.bridge.app.config;

import dev.bridge.postgres.PostgresOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Where the database is and how Bridge uses it ({@code bridge.postgres}).
 *
 * @param host empty for the embedded PostgreSQL
 * @param password never shown by {@link #toString()}
 * @param embeddedDataDir the embedded server's data directory
 * @param embeddedPort the embedded server's port; 0 for any free one
 */
public record PostgresSettings(
        String host,
        int port,
        String database,
        String user,
        String password,
        String sslMode,
        Duration connectTimeout,
        boolean installSchema,
        List<String> capture,
        Path embeddedDataDir,
        int embeddedPort,
        PostgresOptions options) {

    public PostgresSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(sslMode, "sslMode");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        capture = List.copyOf(capture);
        Objects.requireNonNull(embeddedDataDir, "embeddedDataDir");
        Objects.requireNonNull(options, "options");
    }

    /** Whether no server is configured, so the embedded one is used. */
    public boolean embedded() {
        return host.isBlank();
    }

    /** The same settings with another embedded data directory (the demo uses a temporary one). */
    public PostgresSettings withEmbeddedDataDir(Path dir) {
        return new PostgresSettings("", port, database, user, password, sslMode, connectTimeout, installSchema, capture, dir, 0, options);
    }

    public PostgresSettings withOptions(PostgresOptions value) {
        return new PostgresSettings(host, port, database, user, password, sslMode, connectTimeout, installSchema, capture,
                embeddedDataDir, embeddedPort, value);
    }

    @Override
    public String toString() {
        return "PostgresSettings[" + (embedded() ? "embedded in " + embeddedDataDir : host + ":" + port) + "/" + database
                + " as " + user + ", password " + (password.isEmpty() ? "not set" : "set") + "]";
    }
}
