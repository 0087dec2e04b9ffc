package dev.bridge.postgres;

import dev.bridge.core.UsageException;
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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs and upgrades Bridge's schema: versioned migrations and the capture triggers, applied in
 * one transaction under an advisory lock, so instances starting together do not race. Before it
 * changes anything it looks: when everything is in place it runs no DDL at all and takes no lock,
 * so a role without the owner's rights can start, and no application query waits on it. A
 * migration that changes a function replaces it ({@code CREATE OR REPLACE}), so upgrades always
 * take effect. Every lock on a user table is bounded by the lock timeout. Thread-safe.
 */
public final class BridgeSchema {

    private static final Logger log = LoggerFactory.getLogger(BridgeSchema.class);
    private static final List<String> MIGRATIONS = List.of(
            "V1__tables.sql", "V2__capture.sql", "V3__change_log.sql", "V4__prompts.sql", "V5__trust.sql",
            "V6__sink_positions.sql", "V7__leadership.sql");

    /** Who a grant is for (docs/security.md). */
    public enum Grantee {
        /**
         * The role the daemon (or a library's {@code DeliveryEngine}) runs as: it reads and prunes the
         * change log, keeps checkpoints, listeners and dead letters, reads the frame key. No DDL.
         */
        DAEMON,
        /** A role that writes through the event store ({@code bridge_snaps}, {@code bridge_events}). */
        EVENT_STORE
    }

    private final DataSource dataSource;
    private final PostgresOptions options;
    private final String schema;

    BridgeSchema(DataSource dataSource, PostgresOptions options) {
        this.dataSource = dataSource;
        this.options = options;
        this.schema = options.quotedSchema();
    }

    /** The migration that gives each sink its own checkpoint, which older bridges cannot save. */
    private static final int SINK_POSITIONS = 6;

    /** The highest migration this version of Bridge knows. */
    public static int latestVersion() {
        return MIGRATIONS.size();
    }

    /**
     * Applies the missing migrations and brings the capture triggers of {@code bridge_snaps} and
     * every captured table in line with the current options. A no-op, without DDL, when both are.
     *
     * @throws PostgresException if the database refuses (an encoding other than UTF8, a role without
     *     the owner's rights when something must change, a lock not granted within the lock timeout)
     */
    public SchemaStatus install() {
        return install(MIGRATIONS.size());
    }

    /** Installs up to migration {@code upTo}; tests use it to stand in for an older Bridge. */
    SchemaStatus install(int upTo) {
        try (Connection c = dataSource.getConnection()) {
            Inspection before;
            try {
                before = inspect(c, upTo);
            } catch (SQLException e) {
                if ("42501".equals(e.getSQLState())) {
                    throw new PostgresException("this role may not read the Bridge schema " + options.schema() + " (" + e.getMessage()
                            + "); as the schema's owner, `bridge schema grant ROLE` gives the daemon's role what it needs"
                            + " (docs/security.md)", e.getSQLState(), e);
                }
                throw e;
            }
            before.refuse();
            if (before.steps().isEmpty()) {
                before.problems().forEach(p -> log.warn("schema {}: {}", options.schema(), p));
                return before.status();
            }
            if (before.installed() >= 4 && before.installed() < SINK_POSITIONS && upTo >= SINK_POSITIONS) {
                warnOfRunningListeners(c);
            }
            Ddl.begin(c, options);
            Inspection now = before;
            try {
                if (before.installed() == 0) {
                    requireUtf8(c);
                    requireOwnSchema(c);
                    requireOwnedByThisRole(c);
                }
                now = inspect(c, upTo);
                Ddl.run(c, now.steps(), options);
                Inspection done = inspect(c, upTo);
                done.refuse();
                c.commit();
                now.steps().forEach(s -> log.info("schema {}: {}", options.schema(), s.what()));
                done.problems().forEach(p -> log.warn("schema {}: {}", options.schema(), p));
                return done.status();
            } catch (SQLException e) {
                c.rollback();
                Inspection ran = now;
                if ("42501".equals(e.getSQLState()) && ran.installed() == upTo
                        && ran.steps().stream().allMatch(step -> ran.missing().contains(step.table()))) {
                    // A table's owner dropped its trigger: that table's changes are not captured, the others' still are.
                    log.warn("schema {}: the capture triggers of {} are missing and this role may not create them ({}); their changes"
                            + " are not captured until `bridge schema install` runs as the owner", options.schema(),
                            String.join(", ", ran.missing()), e.getMessage());
                    return ran.status();
                }
                throw e;
            } catch (RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            if ("42501".equals(e.getSQLState())) {
                throw new PostgresException("the Bridge schema " + options.schema() + " needs changes this role may not make ("
                        + e.getMessage() + "); run `bridge schema install` as the schema's owner, or give a DBA the script of"
                        + " `bridge schema install --print-sql` (docs/security.md)", e.getSQLState(), e);
            }
            throw PostgresException.of("install the Bridge schema " + options.schema(), e);
        }
    }

    /** What {@link #install()} would run now, as one script for a DBA; changes nothing. */
    public String installSql() {
        try (Connection c = dataSource.getConnection()) {
            Inspection now = inspect(c, MIGRATIONS.size());
            return Ddl.script("Bridge: install or upgrade schema " + options.schema() + " from version " + now.installed()
                    + " to " + latestVersion(), now.steps(), options);
        } catch (SQLException e) {
            throw PostgresException.of("prepare the installation of the Bridge schema " + options.schema(), e);
        }
    }

    /** The highest migration applied, 0 if Bridge is not installed; reads only the history, unlike {@link #status()}. */
    public int installedVersion() {
        try (Connection c = dataSource.getConnection()) {
            if (TableCapture.relation(c, schema + ".bridge_schema_history").isEmpty()) {
                return 0;
            }
            return applied(c).keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
        } catch (SQLException e) {
            throw PostgresException.of("read the status of the Bridge schema " + options.schema(), e);
        }
    }

    /** What is installed now, and what is wrong with it. */
    public SchemaStatus status() {
        try (Connection c = dataSource.getConnection()) {
            return inspect(c, MIGRATIONS.size()).status();
        } catch (SQLException e) {
            throw PostgresException.of("read the status of the Bridge schema " + options.schema(), e);
        }
    }

    /**
     * Grants {@code role} what {@code grantee} needs, and nothing more. Run as the schema's owner.
     *
     * @throws InvalidIdentifierException if {@code role} is not a plain identifier
     */
    public void grant(Grantee grantee, String role) {
        List<Ddl.Step> steps = grantSteps(grantee, role);
        try (Connection c = dataSource.getConnection()) {
            Ddl.begin(c, options);
            try {
                Ddl.run(c, steps, options);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw PostgresException.of("grant role " + role + " the privileges of " + grantee.name().toLowerCase().replace('_', '-'), e);
        }
    }

    /** What {@link #grant} would run, as a script. */
    public String grantSql(Grantee grantee, String role) {
        return Ddl.script("Bridge: grant role " + role + " what " + (grantee == Grantee.DAEMON ? "the daemon" : "an event-store writer")
                + " needs in schema " + options.schema(), grantSteps(grantee, role), options);
    }

    private List<Ddl.Step> grantSteps(Grantee grantee, String role) {
        String r = Identifiers.quote("role", role);
        String s = schema + ".";
        List<String> sql = new ArrayList<>();
        sql.add("GRANT USAGE ON SCHEMA " + schema + " TO " + r);
        if (grantee == Grantee.DAEMON) {
            sql.add("GRANT SELECT ON " + s + "bridge_schema_history, " + s + "bridge_captured_tables, " + s + "bridge_frame_keys TO " + r);
            sql.add("GRANT SELECT, DELETE ON " + s + "bridge_changes TO " + r);
            sql.add("GRANT SELECT, INSERT, UPDATE, DELETE ON " + s + "bridge_consumers, " + s + "bridge_listeners, " + s + "bridge_leases, "
                    + s + "bridge_members TO " + r);
            sql.add("GRANT SELECT, INSERT, DELETE ON " + s + "bridge_dead_letters TO " + r);
            sql.add("GRANT USAGE ON SEQUENCE " + s + "bridge_dead_letters_id_seq TO " + r);
        } else {
            sql.add("GRANT SELECT, INSERT, UPDATE, DELETE ON " + s + "bridge_snaps, " + s + "bridge_events TO " + r);
        }
        return sql.stream().map(q -> new Ddl.Step(q, null, q.substring(0, q.indexOf(" TO ")).toLowerCase())).toList();
    }

    /** What is installed, what install() would run, and what is wrong that it cannot mend. */
    private record Inspection(String schema, int installed, List<Ddl.Step> steps, List<String> problems, List<String> captured,
            List<String> refusals, List<String> missing) {
        SchemaStatus status() {
            return new SchemaStatus(schema, installed, latestVersion(), captured, problems, refusals);
        }

        void refuse() {
            if (!refusals.isEmpty()) {
                throw new PostgresException("will not run the capture of schema " + schema + ": " + String.join("; ", refusals), "42501", null);
            }
        }
    }

    /** Bridges of older versions still listening cannot save their checkpoints once each sink has its own. */
    private void warnOfRunningListeners(Connection c) {
        String sql = "SELECT string_agg(l.pid::text, ', ' ORDER BY l.pid) FROM " + schema + ".bridge_listeners l"
                + " WHERE l.pid <> pg_backend_pid() AND l.pid IN (SELECT pid FROM pg_stat_activity WHERE pid IS NOT NULL)";
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            if (rs.next() && rs.getString(1) != null) {
                log.warn("schema {}: bridges are listening on it (backend pids {}); after migration 6 a bridge older than this one cannot save"
                        + " its checkpoint (it logs a WARN each time and its changes repeat from where it last saved): stop them and"
                        + " start them again on this version", options.schema(), rs.getString(1));
            }
        } catch (SQLException e) {
            log.debug("could not look for running listeners in schema {}: {}", options.schema(), e.getMessage());
        }
    }

    private Inspection inspect(Connection c, int upTo) throws SQLException {
        boolean schemaExists = exists(c, "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = ?)", options.schema());
        boolean historyExists = schemaExists && TableCapture.relation(c, schema + ".bridge_schema_history").isPresent();
        Map<Integer, String> applied = historyExists ? applied(c) : Map.of();
        int installed = applied.keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
        List<Ddl.Step> steps = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<String> refusals = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        if (!schemaExists) {
            steps.add(new Ddl.Step("CREATE SCHEMA IF NOT EXISTS " + schema, null, "create schema " + options.schema()));
        }
        if (!historyExists) {
            steps.add(new Ddl.Step("CREATE TABLE IF NOT EXISTS " + schema + ".bridge_schema_history ("
                    + " version integer PRIMARY KEY, description text NOT NULL, checksum text NOT NULL,"
                    + " installed_at timestamptz NOT NULL DEFAULT now())", null, "create the migration history"));
        }
        for (int v = 1; v <= upTo; v++) {
            String file = MIGRATIONS.get(v - 1);
            String sql = script(file);
            String checksum = sha256(sql);
            if (applied.containsKey(v)) {
                if (!applied.get(v).equals(checksum)) {
                    problems.add("migration " + file + " differs from the one installed; it is not re-run");
                }
                continue;
            }
            steps.add(new Ddl.Step(sql.replace("${schema}", schema).strip() + "\n\nINSERT INTO " + schema
                    + ".bridge_schema_history (version, description, checksum) VALUES (" + v + ", " + literal(file) + ", "
                    + literal(checksum) + ")", null, "apply migration " + file));
        }
        if (historyExists) {
            refusals.addAll(mixedOwners(c));
        }
        TableCapture capture = new TableCapture(dataSource, options);
        String snaps = schema + ".bridge_snaps";
        inspectTrigger(c, capture, snaps, options.schema() + ".bridge_snaps", TableCapture.relation(c, snaps),
                new TableCapture.TriggerSpec("bridge_capture_snaps", triggerArguments(options)), steps, problems);
        List<String> captured = historyExists && TableCapture.relation(c, schema + ".bridge_captured_tables").isPresent()
                ? capture.list(c) : List.of();
        for (String table : captured) {
            String quoted = Identifiers.quoteTable("table", table);
            Optional<Long> oid = TableCapture.relation(c, quoted);
            if (oid.isEmpty()) {
                problems.add("captured table " + table + " does not exist any more (or this role may not see it);"
                        + " `bridge capture remove " + table + "` forgets it");
                continue;
            }
            try {
                if (inspectTrigger(c, capture, quoted, table, oid, capture.spec(c, table, quoted), steps, problems)
                        == TableCapture.TriggerState.MISSING) {
                    missing.add(table);
                    problems.add("the capture trigger on " + table + " is missing (dropped by the table's owner?), so its changes are"
                            + " not captured; `bridge schema install` as the owner creates it again");
                }
            } catch (SQLException e) {
                problems.add("captured table " + table + ": " + e.getMessage());
                continue;
            }
            capture.superuserOwner(c, quoted).forEach(unsafe -> refusals.add("captured table " + table + ": " + unsafe));
        }
        return new Inspection(options.schema(), installed, steps, problems, captured, refusals, missing);
    }

    /** Adds what the trigger on the relation {@code oid} needs to {@code steps}, and a problem if it is disabled; says its state. */
    private static TableCapture.TriggerState inspectTrigger(Connection c, TableCapture capture, String quoted, String table,
            Optional<Long> oid, TableCapture.TriggerSpec spec, List<Ddl.Step> steps, List<String> problems) throws SQLException {
        TableCapture.TriggerState state = oid.isEmpty() ? TableCapture.TriggerState.MISSING : capture.state(c, oid.get(), spec);
        if (state == TableCapture.TriggerState.DISABLED) {
            problems.add("the capture trigger on " + table + " is disabled, so its changes are not captured; the table's owner"
                    + " can run ALTER TABLE " + quoted + " ENABLE TRIGGER " + TableCapture.TRIGGER);
        }
        steps.addAll(capture.triggerSteps(c, quoted, table, spec, state));
        return state;
    }

    private static boolean exists(Connection c, String sql, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /**
     * Objects of Bridge's schema that another role than the schema's owner owns. The owner of a
     * schema may drop and replace anything in it, so a schema created by another role (a writer
     * with CREATE on the database, say) would let that role swap Bridge's change log for its own.
     */
    private List<String> mixedOwners(Connection c) throws SQLException {
        List<String> found = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.pg_get_userbyid(n.nspowner), o.name, pg_catalog.pg_get_userbyid(o.owner)"
                + " FROM pg_catalog.pg_namespace n CROSS JOIN LATERAL ("
                + " SELECT c.relname::text AS name, c.relowner AS owner FROM pg_catalog.pg_class c"
                + " WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'p', 'S', 'v', 'm', 'f')"
                + " UNION ALL SELECT p.proname::text, p.proowner FROM pg_catalog.pg_proc p WHERE p.pronamespace = n.oid) o"
                + " WHERE n.nspname = ? AND o.owner <> n.nspowner ORDER BY 2 LIMIT 5")) {
            ps.setString(1, options.schema());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add("schema " + options.schema() + " belongs to role " + rs.getString(1) + " but its " + rs.getString(2)
                            + " to role " + rs.getString(3) + "; a schema's owner can replace anything in it, so Bridge's schema and"
                            + " all in it must have one owner, the role that installs Bridge (docs/security.md)");
                }
            }
        }
        return found;
    }

    /** Refuses a schema that exists and belongs to another role than this one. */
    private void requireOwnedByThisRole(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.pg_get_userbyid(nspowner), nspowner = (SELECT oid FROM"
                + " pg_catalog.pg_roles WHERE rolname = current_user) FROM pg_catalog.pg_namespace WHERE nspname = ?")) {
            ps.setString(1, options.schema());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && !rs.getBoolean(2)) {
                    throw new UsageException("schema " + options.schema() + " already exists and belongs to role " + rs.getString(1)
                            + ", who could replace Bridge's tables in it; install as that role, have it hand the schema over"
                            + " (ALTER SCHEMA " + options.schema() + " OWNER TO ...), or set bridge.postgres.schema to a new name");
                }
            }
        }
    }

    /** Bridge's schema is its own: its tables cannot be captured, and its grants are Bridge's. */
    private void requireOwnSchema(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT c.relname FROM pg_catalog.pg_class c"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND c.relname NOT LIKE 'bridge\\_%'"
                + " ORDER BY c.relname LIMIT 3")) {
            ps.setString(1, options.schema());
            List<String> others = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    others.add(rs.getString(1));
                }
            }
            if (!others.isEmpty()) {
                throw new UsageException("schema " + options.schema() + " already holds tables of others (" + String.join(", ", others)
                        + "); Bridge installs into a schema of its own, whose tables are never captured and whose grants are"
                        + " Bridge's. Set bridge.postgres.schema to a new name (the default is bridge)");
            }
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

    /** The arguments every capture trigger starts with: channel, frame size, mode, and a slot no longer read (schema version 3's inline size). */
    static List<String> triggerArguments(PostgresOptions options) {
        return List.of(options.channel(), Integer.toString(options.maxFrameBytes()), options.mode().value(), "0");
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
