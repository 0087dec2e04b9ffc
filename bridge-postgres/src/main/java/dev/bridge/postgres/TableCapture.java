package dev.bridge.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Captures the changes of user tables: a row trigger that sends each INSERT, UPDATE and DELETE as a
 * change whose bucket is the table's name (as given here), whose id is the primary key as text (a
 * JSON array of the values for a composite key), and whose {@code val}/{@code old} are the rows as
 * JSON. {@code TRUNCATE} is not captured. Thread-safe.
 */
public final class TableCapture {

    private final DataSource dataSource;
    private final PostgresOptions options;
    private final String schema;

    TableCapture(DataSource dataSource, PostgresOptions options) {
        this.dataSource = dataSource;
        this.options = options;
        this.schema = options.quotedSchema();
    }

    /**
     * Starts capturing {@code table} ({@code orders} or {@code sales.orders}); re-adding is a no-op.
     *
     * @throws InvalidIdentifierException if the name is not a plain identifier
     * @throws PostgresException if the table does not exist, has no primary key, or Bridge is not installed
     */
    public void add(String table) {
        Identifiers.quoteTable("table", table);
        inTransaction("capture changes of table " + table, c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + schema + ".bridge_captured_tables (table_name, bucket)"
                    + " VALUES (?, ?) ON CONFLICT (table_name) DO NOTHING")) {
                ps.setString(1, table);
                ps.setString(2, table);
                ps.executeUpdate();
            }
            install(c, table);
        });
    }

    /** Stops capturing {@code table}; removing a table that is not captured is a no-op. */
    public void remove(String table) {
        String quoted = Identifiers.quoteTable("table", table);
        inTransaction("stop capturing table " + table, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + schema + ".bridge_captured_tables WHERE table_name = ?")) {
                ps.setString(1, table);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
                ps.setString(1, quoted);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        BridgeSchema.exec(c, "DROP TRIGGER IF EXISTS bridge_capture ON " + quoted);
                    }
                }
            }
        });
    }

    /** The captured tables, in name order. */
    public List<String> list() {
        try (Connection c = dataSource.getConnection()) {
            return list(c);
        } catch (SQLException e) {
            throw PostgresException.of("list the captured tables", e);
        }
    }

    List<String> list(Connection c) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT table_name FROM " + schema + ".bridge_captured_tables ORDER BY table_name");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        return tables;
    }

    /** (Re)creates the table's trigger with the current channel and frame size. */
    void install(Connection c, String table) throws SQLException {
        String quoted = Identifiers.quoteTable("table", table);
        List<String> key = primaryKey(c, quoted, table);
        StringBuilder args = new StringBuilder(BridgeSchema.triggerArguments(options))
                .append(", ").append(BridgeSchema.literal(table));
        for (String column : key) {
            args.append(", ").append(BridgeSchema.literal(column));
        }
        BridgeSchema.exec(c, "DROP TRIGGER IF EXISTS bridge_capture ON " + quoted);
        BridgeSchema.exec(c, "CREATE TRIGGER bridge_capture AFTER INSERT OR UPDATE OR DELETE ON " + quoted
                + " FOR EACH ROW EXECUTE FUNCTION " + schema + ".bridge_capture_table(" + args + ")");
    }

    private static List<String> primaryKey(Connection c, String quoted, String table) throws SQLException {
        try (PreparedStatement exists = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            exists.setString(1, quoted);
            try (ResultSet rs = exists.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    throw new SQLException("table " + table + " does not exist", "42P01");
                }
            }
        }
        List<String> columns = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT a.attname FROM pg_index i"
                + " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)"
                + " WHERE i.indrelid = ?::regclass AND i.indisprimary"
                + " ORDER BY array_position(i.indkey::int2[], a.attnum)")) {
            ps.setString(1, quoted);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(rs.getString(1));
                }
            }
        }
        if (columns.isEmpty()) {
            throw new SQLException("table " + table + " has no primary key; capture needs one to give each change an id", "42P10");
        }
        return columns;
    }

    private interface SqlWork {
        void run(Connection c) throws SQLException;
    }

    private void inTransaction(String action, SqlWork work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                work.run(c);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw PostgresException.of(action, e);
        }
    }
}
