package dev.bridge.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs and upgrades Bridge's schema: versioned migrations applied in one transaction under an
 * advisory lock, so instances starting together do not race and a re-run is a no-op. A migration
 * that changes a function replaces it ({@code CREATE OR REPLACE}), so upgrades always take effect.
 * Thread-safe.
 */
public final class BridgeSchema {

    private static final Logger log = LoggerFactory.getLogger(BridgeSchema.class);
    /** The first key of Bridge's advisory locks; the second is the schema's hash. */
    static final int LOCK_NAMESPACE = 0x42524447;
    private static final List<String> MIGRATIONS = List.of("V1__tables.sql", "V2__capture.sql", "V3__change_log.sql", "V4__prompts.sql");

    private final DataSource dataSource;
    private final PostgresOptions options;
    private final String schema;

    BridgeSchema(DataSource dataSource, PostgresOptions options) {
        this.dataSource = dataSource;
        this.options = options;
        this.schema = options.quotedSchema();
    }

    /** The highest migration this version of Bridge knows. */
    public static int latestVersion() {
        return MIGRATIONS.size();
    }

    /**
     * Applies the missing migrations and (re)installs the capture trigger on {@code bridge_snaps}
     * and on every captured table with the current channel and frame size.
     *
     * @throws PostgresException if the database refuses (for example, an encoding other than UTF8)
     */
    public SchemaStatus install() {
        return install(MIGRATIONS.size());
    }

    /** Installs up to migration {@code upTo}; tests use it to stand in for an older Bridge. */
    SchemaStatus install(int upTo) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                lock(c);
                requireUtf8(c);
                exec(c, "CREATE SCHEMA IF NOT EXISTS " + schema);
                exec(c, "CREATE TABLE IF NOT EXISTS " + schema + ".bridge_schema_history ("
                        + " version integer PRIMARY KEY, description text NOT NULL, checksum text NOT NULL,"
                        + " installed_at timestamptz NOT NULL DEFAULT now())");
                Map<Integer, String> applied = applied(c);
                for (int v = 1; v <= upTo; v++) {
                    String file = MIGRATIONS.get(v - 1);
                    String sql = script(file);
                    String checksum = sha256(sql);
                    if (applied.containsKey(v)) {
                        if (!applied.get(v).equals(checksum)) {
                            log.warn("migration {} of schema {} differs from the one installed; it is not re-run", file, options.schema());
                        }
                        continue;
                    }
                    exec(c, sql.replace("${schema}", schema));
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + schema
                            + ".bridge_schema_history (version, description, checksum) VALUES (?, ?, ?)")) {
                        ps.setInt(1, v);
                        ps.setString(2, file);
                        ps.setString(3, checksum);
                        ps.executeUpdate();
                    }
                    log.info("applied migration {} to schema {}", file, options.schema());
                }
                exec(c, "DROP TRIGGER IF EXISTS bridge_capture ON " + schema + ".bridge_snaps");
                exec(c, "CREATE TRIGGER bridge_capture AFTER INSERT OR UPDATE OR DELETE ON " + schema + ".bridge_snaps"
                        + " FOR EACH ROW EXECUTE FUNCTION " + schema + ".bridge_capture_snaps(" + triggerArguments(options) + ")");
                TableCapture capture = new TableCapture(dataSource, options);
                for (String table : capture.list(c)) {
                    capture.install(c, table);
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw PostgresException.of("install the Bridge schema " + options.schema(), e);
        }
        return status();
    }

    /** What is installed now. */
    public SchemaStatus status() {
        try (Connection c = dataSource.getConnection()) {
            int installed = exists(c, "bridge_schema_history")
                    ? applied(c).keySet().stream().mapToInt(Integer::intValue).max().orElse(0)
                    : 0;
            List<String> captured = exists(c, "bridge_captured_tables") ? new TableCapture(dataSource, options).list(c) : List.of();
            return new SchemaStatus(options.schema(), installed, latestVersion(), captured);
        } catch (SQLException e) {
            throw PostgresException.of("read the status of the Bridge schema " + options.schema(), e);
        }
    }

    private boolean exists(Connection c, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, schema + "." + table);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private void lock(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?, hashtext(?))")) {
            ps.setInt(1, LOCK_NAMESPACE);
            ps.setString(2, options.schema());
            ps.execute();
        }
    }

    private static void requireUtf8(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW server_encoding")) {
            rs.next();
            String encoding = rs.getString(1);
            if (!"UTF8".equalsIgnoreCase(encoding)) {
                throw new SQLException("the database's encoding is " + encoding + ", Bridge needs UTF8"
                        + " (NOTIFY limits are in bytes of the server encoding); create the database WITH ENCODING 'UTF8'", "22023");
            }
        }
    }

    private Map<Integer, String> applied(Connection c) throws SQLException {
        Map<Integer, String> applied = new TreeMap<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT version, checksum FROM " + schema + ".bridge_schema_history")) {
            while (rs.next()) {
                applied.put(rs.getInt(1), rs.getString(2));
            }
        }
        return applied;
    }

    static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** The arguments every capture trigger starts with: channel, frame size, mode, and a slot no longer read (schema version 3's inline size). */
    static String triggerArguments(PostgresOptions options) {
        return literal(options.channel()) + ", " + literal(Integer.toString(options.maxFrameBytes())) + ", "
                + literal(options.mode().value()) + ", '0'";
    }

    /** An SQL string literal; {@code standard_conforming_strings} is on in every supported version. */
    static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    private static String script(String file) {
        try (InputStream in = BridgeSchema.class.getResourceAsStream("migrations/" + file)) {
            if (in == null) {
                throw new IllegalStateException("migration " + file + " is missing from the bridge-postgres jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
