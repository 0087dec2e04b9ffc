package dev.bridge.postgres;

import dev.bridge.core.UsageException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Captures the changes of user tables: a row trigger that sends each INSERT, UPDATE and DELETE as a
 * change whose bucket is the table's name (as given here), whose id is the primary key as text (a
 * JSON array of the values for a composite key), and whose {@code val}/{@code old} are the rows as
 * JSON. {@code TRUNCATE} is not captured. The trigger's function runs with the rights of the Bridge
 * schema's owner, so the table's writers need no grant (docs/security.md). Creating the trigger needs
 * the TRIGGER privilege on the table; dropping it (and replacing it on PostgreSQL 13) needs its
 * ownership. Every change to a table waits at most the lock timeout. Thread-safe.
 */
public final class TableCapture {

    static final String TRIGGER = "bridge_capture";
    /** {@code pg_trigger.tgtype} of AFTER INSERT OR UPDATE OR DELETE FOR EACH ROW. */
    private static final int ROW_AFTER_INSERT_UPDATE_DELETE = 1 | 4 | 8 | 16;

    private final DataSource dataSource;
    private final PostgresOptions options;
    private final String schema;

    TableCapture(DataSource dataSource, PostgresOptions options) {
        this.dataSource = dataSource;
        this.options = options;
        this.schema = options.quotedSchema();
    }

    /** The trigger a table (or {@code bridge_snaps}) should have: its function and arguments. */
    record TriggerSpec(String function, List<String> arguments) {
        byte[] tgargs() {
            StringBuilder joined = new StringBuilder();
            for (String a : arguments) {
                joined.append(a).append('\0');
            }
            return joined.toString().getBytes(StandardCharsets.UTF_8);
        }
    }

    /** How a table's capture trigger compares with what it should be. */
    enum TriggerState { CURRENT, OUTDATED, MISSING, DISABLED }

    /**
     * Starts capturing {@code table} ({@code orders} or {@code sales.orders}); re-adding is a no-op,
     * and runs no DDL if the trigger is in place.
     *
     * @throws InvalidIdentifierException if the name is not a plain identifier
     * @throws UsageException if the table is Bridge's own or a system catalog's, or is already captured under another name
     * @throws PostgresException if the table does not exist, has no primary key, belongs (or its types do)
     *     to another role while a superuser owns the capture functions, cannot be locked within the lock
     *     timeout, or Bridge is not installed
     */
    public void add(String table) {
        String quoted = Identifiers.quoteTable("table", table);
        inTransaction("capture changes of table " + table, c -> Ddl.run(c, addSteps(c, table, quoted), options));
    }

    /** What {@link #add} would run, as a script for a DBA; checks the table the same way, and changes nothing. */
    public String addSql(String table) {
        String quoted = Identifiers.quoteTable("table", table);
        return read("prepare capturing table " + table,
                c -> Ddl.script("Bridge: capture changes of " + table, addSteps(c, table, quoted), options));
    }

    /**
     * Stops capturing {@code table}; removing a table that is not captured is a no-op.
     *
     * @throws PostgresException if the trigger cannot be dropped (only the table's owner may) or locked in time
     */
    public void remove(String table) {
        String quoted = Identifiers.quoteTable("table", table);
        inTransaction("stop capturing table " + table, c -> Ddl.run(c, removeSteps(c, table, quoted), options));
    }

    /** What {@link #remove} would run, as a script for a DBA. */
    public String removeSql(String table) {
        String quoted = Identifiers.quoteTable("table", table);
        return read("prepare to stop capturing table " + table,
                c -> Ddl.script("Bridge: stop capturing changes of " + table, removeSteps(c, table, quoted), options));
    }

    /** The captured tables, in name order. */
    public List<String> list() {
        return read("list the captured tables", this::list);
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

    private List<Ddl.Step> addSteps(Connection c, String table, String quoted) throws SQLException {
        String relationSchema = relationSchema(c, table, quoted);
        if (relationSchema.startsWith("pg_") || relationSchema.equals("information_schema")) {
            throw new UsageException("table " + table + " is in the system schema " + relationSchema + "; Bridge captures user tables only");
        }
        if (relationSchema.equals(options.schema()) || holdsBridge(c, relationSchema)) {
            throw new UsageException("table " + table + " is in schema " + relationSchema + ", which holds Bridge's own tables;"
                    + " capturing them would capture Bridge's own writes. Capture tables of your application's schemas");
        }
        List<String> captured = list(c);
        for (String other : captured) {
            if (!other.equals(table) && sameRelation(c, other, quoted)) {
                throw new UsageException("table " + table + " is already captured as " + other + "; a table is captured under one name,"
                        + " its bucket (remove " + other + " first to rename it)");
            }
        }
        List<String> unsafe = superuserOwner(c, quoted);
        if (!unsafe.isEmpty()) {
            throw new PostgresException("will not capture table " + table + ": " + String.join("; ", unsafe), "42501", null);
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM " + schema + ".bridge_snaps WHERE bucket = ? LIMIT 1")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    throw new UsageException("the event store already holds objects in bucket " + table + "; capturing table " + table
                            + " would mix its changes with theirs. Capture it under another name (e.g. its schema-qualified one)");
                }
            }
        }
        List<Ddl.Step> steps = new ArrayList<>();
        if (!captured.contains(table)) {
            steps.add(new Ddl.Step("INSERT INTO " + schema + ".bridge_captured_tables (table_name, bucket) VALUES ("
                    + BridgeSchema.literal(table) + ", " + BridgeSchema.literal(table) + ") ON CONFLICT (table_name) DO NOTHING",
                    null, "remember " + table + " as captured"));
        }
        TriggerSpec spec = spec(c, table, quoted);
        steps.addAll(triggerSteps(c, quoted, table, spec, state(c, relation(c, quoted).orElseThrow(), spec)));
        return steps;
    }

    private List<Ddl.Step> removeSteps(Connection c, String table, String quoted) throws SQLException {
        List<Ddl.Step> steps = new ArrayList<>();
        if (list(c).contains(table)) {
            steps.add(new Ddl.Step("DELETE FROM " + schema + ".bridge_captured_tables WHERE table_name = " + BridgeSchema.literal(table),
                    null, "forget " + table));
        }
        Optional<Long> oid = relation(c, quoted);
        if (oid.isPresent() && state(c, oid.get(), null) != TriggerState.MISSING) {
            steps.add(new Ddl.Step("DROP TRIGGER IF EXISTS " + TRIGGER + " ON " + quoted, table,
                    "drop the capture trigger on " + table + " (only the table's owner may)"));
        }
        return steps;
    }

    /** The trigger {@code table} should have; it must exist and have a primary key. */
    TriggerSpec spec(Connection c, String table, String quoted) throws SQLException {
        List<String> args = new ArrayList<>(BridgeSchema.triggerArguments(options));
        args.add(table);
        args.addAll(primaryKey(c, table, quoted));
        return new TriggerSpec("bridge_capture_table", args);
    }

    /**
     * The statements that make the trigger on {@code quoted}, now in {@code state}, what {@code spec}
     * says: none when it is current or disabled (a disabled trigger is its owner's decision, reported,
     * not undone).
     */
    List<Ddl.Step> triggerSteps(Connection c, String quoted, String table, TriggerSpec spec, TriggerState state) throws SQLException {
        if (state == TriggerState.CURRENT || state == TriggerState.DISABLED) {
            return List.of();
        }
        StringBuilder args = new StringBuilder();
        for (String a : spec.arguments()) {
            args.append(args.length() == 0 ? "" : ", ").append(BridgeSchema.literal(a));
        }
        String create = " TRIGGER " + TRIGGER + " AFTER INSERT OR UPDATE OR DELETE ON " + quoted
                + " FOR EACH ROW EXECUTE FUNCTION " + schema + "." + spec.function() + "(" + args + ")";
        if (state == TriggerState.MISSING) {
            return List.of(new Ddl.Step("CREATE" + create, table, "create the capture trigger on " + table));
        }
        if (c.getMetaData().getDatabaseMajorVersion() >= 14) {
            return List.of(new Ddl.Step("CREATE OR REPLACE" + create, table, "update the capture trigger on " + table));
        }
        return List.of(new Ddl.Step("DROP TRIGGER " + TRIGGER + " ON " + quoted, table,
                        "drop the outdated capture trigger on " + table + " (PostgreSQL 13: only the table's owner may)"),
                new Ddl.Step("CREATE" + create, table, "create the capture trigger on " + table));
    }

    /** How the trigger on the relation compares with {@code spec}; with a null spec, only whether it exists. */
    TriggerState state(Connection c, long relation, TriggerSpec spec) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT t.tgenabled, p.proname, n.nspname, t.tgtype, t.tgargs"
                + " FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace WHERE t.tgrelid = ? AND t.tgname = ?")) {
            ps.setLong(1, relation);
            ps.setString(2, TRIGGER);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return TriggerState.MISSING;
                }
                String enabled = rs.getString(1);
                if (!"O".equals(enabled) && !"A".equals(enabled)) {
                    return TriggerState.DISABLED;
                }
                boolean current = spec != null && spec.function().equals(rs.getString(2)) && options.schema().equals(rs.getString(3))
                        && rs.getInt(4) == ROW_AFTER_INSERT_UPDATE_DELETE && Arrays.equals(spec.tgargs(), rs.getBytes(5));
                return current || spec == null ? TriggerState.CURRENT : TriggerState.OUTDATED;
            }
        }
    }

    /** The relation's oid, if it exists. */
    static Optional<Long> relation(Connection c, String quoted) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + Identifiers.RELATION_OID)) {
            ps.setString(1, quoted);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long oid = rs.getLong(1);
                return rs.wasNull() ? Optional.empty() : Optional.of(oid);
            }
        }
    }

    /** The types of the table's columns and all they are made of: arrays' elements, domains' bases, composites' fields. */
    private static final String REACH = "WITH RECURSIVE reach(type) AS ("
            + " SELECT a.atttypid FROM pg_catalog.pg_attribute a WHERE a.attrelid = " + Identifiers.RELATION_OID + " AND a.attnum > 0 AND NOT a.attisdropped"
            + " UNION SELECT n.next FROM reach r JOIN pg_catalog.pg_type y ON y.oid = r.type CROSS JOIN LATERAL ("
            + " SELECT y.typbasetype WHERE y.typbasetype <> 0 UNION ALL SELECT y.typelem WHERE y.typelem <> 0"
            + " UNION ALL SELECT a.atttypid FROM pg_catalog.pg_attribute a"
            + " WHERE y.typrelid <> 0 AND a.attrelid = y.typrelid AND a.attnum > 0 AND NOT a.attisdropped) n(next))";

    /**
     * Why the table's capture would put a superuser's rights within another role's reach: the
     * capture function runs as its owner and converts rows whose table and types that role owns. It
     * runs none of their code (no cast to json), but should a way around that exist, it must not
     * yield a superuser. Empty when the function's owner is not a superuser, or only superusers own
     * the table and its types.
     */
    List<String> superuserOwner(Connection c, String quoted) throws SQLException {
        String sql = REACH + ", owners(role, what) AS ("
                + " SELECT r.relowner, 'the table' FROM pg_catalog.pg_class r WHERE r.oid = " + Identifiers.RELATION_OID
                + " UNION SELECT y.typowner, 'its columns'' type ' || format_type(y.oid, NULL) FROM reach r"
                + " JOIN pg_catalog.pg_type y ON y.oid = r.type)"
                + " SELECT DISTINCT pg_catalog.pg_get_userbyid(o.role), o.what, pg_catalog.pg_get_userbyid(p.proowner)"
                + " FROM owners o JOIN pg_catalog.pg_roles ro ON ro.oid = o.role CROSS JOIN pg_catalog.pg_proc p"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace JOIN pg_catalog.pg_roles po ON po.oid = p.proowner"
                + " WHERE n.nspname = ? AND p.proname = 'bridge_capture_table' AND p.prosecdef AND po.rolsuper AND NOT ro.rolsuper"
                + " ORDER BY 2";
        List<String> found = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, quoted);
            ps.setString(2, quoted);
            ps.setString(3, options.schema());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(rs.getString(2) + " is owned by " + rs.getString(1) + ", while the capture function that converts its rows"
                            + " runs as the superuser " + rs.getString(3) + "; install Bridge's schema as a role that is not a superuser"
                            + " (docs/security.md), or capture only tables whose owners and types' owners are superusers");
                }
            }
        }
        return found;
    }

    private String relationSchema(Connection c, String table, String quoted) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT n.nspname FROM pg_catalog.pg_class r"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace WHERE r.oid = " + Identifiers.RELATION_OID)) {
            ps.setString(1, quoted);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("table " + table + " does not exist (or this role may not see it)", "42P01");
                }
                return rs.getString(1);
            }
        }
    }

    private static boolean holdsBridge(Connection c, String relationSchema) throws SQLException {
        return relation(c, Identifiers.quote("schema", relationSchema) + ".bridge_schema_history").isPresent();
    }

    private static boolean sameRelation(Connection c, String other, String quoted) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + Identifiers.RELATION_OID + " = " + Identifiers.RELATION_OID)) {
            ps.setString(1, Identifiers.quoteTable("table", other));
            ps.setString(2, quoted);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private static List<String> primaryKey(Connection c, String table, String quoted) throws SQLException {
        if (relation(c, quoted).isEmpty()) {
            throw new SQLException("table " + table + " does not exist (or this role may not see it)", "42P01");
        }
        List<String> columns = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT a.attname FROM pg_catalog.pg_index i"
                + " JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)"
                + " WHERE i.indrelid = " + Identifiers.RELATION_OID + " AND i.indisprimary"
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

    private interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    private interface SqlStep {
        void run(Connection c) throws SQLException;
    }

    private <T> T read(String action, SqlWork<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw PostgresException.of(action, e);
        }
    }

    private void inTransaction(String action, SqlStep work) {
        try (Connection c = dataSource.getConnection()) {
            Ddl.begin(c, options);
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
