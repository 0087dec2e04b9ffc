package dev.bridge.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Schema changes run the one way Bridge runs them: in one transaction, under Bridge's advisory lock
 * for the schema, and with a lock timeout, so that a change that cannot get its lock gives up and
 * says who holds it instead of queueing the application's queries behind it. The same steps can
 * be printed as a script for a DBA to run.
 */
final class Ddl {

    /** The first key of Bridge's advisory locks; the second is the schema's hash. */
    static final int LOCK_NAMESPACE = 0x42524447;
    private static final String LOCK_NOT_AVAILABLE = "55P03";

    /**
     * One statement.
     *
     * @param table the user table whose lock it takes, as named to Bridge, or null
     * @param what what it does, for messages: "create the capture trigger on public.orders"
     */
    record Step(String sql, String table, String what) {
    }

    private Ddl() {
    }

    private static String advisoryHolders(Connection c, PostgresOptions options) {
        List<String> found = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT l.pid, a.usename, a.application_name FROM pg_catalog.pg_locks l"
                + " LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted"
                + " AND l.classid = ? AND l.objid::bigint = (hashtext(?)::bigint & 4294967295) AND l.objsubid = 2")) {
            ps.setLong(1, LOCK_NAMESPACE);
            ps.setString(2, options.schema());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(session(rs.getInt(1), rs.getString(2), rs.getString(3)).append(")").toString());
                }
            }
        } catch (SQLException ignored) {
            return "";
        }
        return String.join(", ", found);
    }

    /** "pid 4321 (user app, application 'checkout'", as far as this role may see, for more to follow and a closing parenthesis. */
    private static StringBuilder session(int pid, String user, String application) {
        StringBuilder who = new StringBuilder("pid ").append(pid).append(" (").append(user == null ? "another user" : "user " + user);
        if (application != null && !application.isEmpty()) {
            who.append(", application '").append(application.replaceAll("\\p{Cntrl}", "?")).append("'");
        }
        return who;
    }

    static String lockSql(PostgresOptions options) {
        return "SELECT pg_advisory_xact_lock(" + LOCK_NAMESPACE + ", hashtext(" + BridgeSchema.literal(options.schema()) + "))";
    }

    /** Waiting for another install blocks only Bridge, so it may take ten times the lock timeout, but not for ever. */
    static String installLockTimeoutSql(PostgresOptions options) {
        return "SET LOCAL lock_timeout = '" + millis(options.lockTimeout().multipliedBy(10)) + "ms'";
    }

    static String lockTimeoutSql(PostgresOptions options) {
        return "SET LOCAL lock_timeout = '" + millis(options.lockTimeout()) + "ms'";
    }

    /** As PostgreSQL takes a timeout: at least 1 ms (0 would mean no timeout), at most what an int holds. */
    private static long millis(Duration d) {
        return Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
    }

    /**
     * Takes Bridge's advisory lock for the schema within ten times the lock timeout — any role can
     * take advisory locks, so a session that keeps it longer is named — then sets the lock timeout.
     */
    static void begin(Connection c, PostgresOptions options) throws SQLException {
        c.setAutoCommit(false);
        exec(c, installLockTimeoutSql(options));
        try {
            exec(c, lockSql(options));
        } catch (SQLException e) {
            if (!LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
                throw e;
            }
            c.rollback();
            String holders = advisoryHolders(c, options);
            throw new PostgresException("could not take Bridge's install lock for schema " + options.schema() + " within "
                    + describe(options.lockTimeout().multipliedBy(10)) + (holders.isEmpty() ? "" : ": it is held by " + holders)
                    + "; another install may be running, or a session holds the lock: end it and retry", LOCK_NOT_AVAILABLE, e);
        }
        // Reading a catalog table locks it, and taking a lock makes this backend catch up with the catalog
        // changes committed while it waited; name lookups (to_regclass) read caches that would not.
        exec(c, "SELECT FROM pg_catalog.pg_class LIMIT 0");
        exec(c, lockTimeoutSql(options));
    }

    /**
     * Runs the steps in the open transaction.
     *
     * @throws PostgresException if a step waited longer than the lock timeout, naming who holds the lock
     */
    static void run(Connection c, List<Step> steps, PostgresOptions options) throws SQLException {
        for (Step step : steps) {
            try {
                exec(c, step.sql());
            } catch (SQLException e) {
                if (!LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
                    throw e;
                }
                c.rollback();
                throw lockTimeout(c, step, options, e);
            }
        }
    }

    private static PostgresException lockTimeout(Connection c, Step step, PostgresOptions options, SQLException e) {
        String object = step.table() == null ? "a Bridge object" : step.table();
        String holders = step.table() == null ? "" : holders(c, step.table());
        return new PostgresException("could not lock " + object + " within " + describe(options.lockTimeout()) + " to "
                + step.what() + (holders.isEmpty() ? "" : ": " + holders) + "; Bridge stopped waiting so that the application's"
                + " queries do not queue behind it, and changed nothing. End that transaction or retry when the table is quiet"
                + " (bridge.postgres.lock-timeout sets the wait)", LOCK_NOT_AVAILABLE, e);
    }

    /** Who holds a lock on the table now, as far as this role may see: pid, user, application, state and age. */
    private static String holders(Connection c, String table) {
        String sql = "SELECT l.pid, a.usename, a.application_name, a.state, extract(epoch FROM now() - a.xact_start)::bigint, l.mode"
                + " FROM pg_catalog.pg_locks l LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid"
                + " WHERE l.locktype = 'relation' AND l.relation = " + Identifiers.RELATION_OID + " AND l.granted AND l.pid <> pg_backend_pid()"
                + " ORDER BY a.xact_start NULLS LAST LIMIT 3";
        List<String> found = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, Identifiers.quoteTable("table", table));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    StringBuilder who = session(rs.getInt(1), rs.getString(2), rs.getString(3));
                    if (rs.getString(4) != null) {
                        who.append(", ").append(rs.getString(4));
                    }
                    long age = rs.getLong(5);
                    if (!rs.wasNull()) {
                        who.append(", transaction open ").append(age).append(" s");
                    }
                    found.add(who.append(", ").append(rs.getString(6)).append(")").toString());
                }
            }
            c.rollback();
        } catch (SQLException ignored) {
            return "";
        }
        return found.isEmpty() ? "the session that held it has let go since" : "the lock is held by " + String.join("; ", found);
    }

    /** The steps as a script a DBA can run with psql: one transaction, the same lock and lock timeout. */
    static String script(String title, List<Step> steps, PostgresOptions options) {
        if (steps.isEmpty()) {
            return "-- " + title + ": nothing to do, everything is in place.\n";
        }
        StringBuilder sql = new StringBuilder("-- ").append(title).append(".\n")
                .append("-- Run it as the owner of the Bridge schema (docs/security.md), e.g. psql -v ON_ERROR_STOP=1 -f FILE.\n")
                .append("BEGIN;\n").append(installLockTimeoutSql(options)).append(";\n").append(lockSql(options)).append(";\n")
                .append(lockTimeoutSql(options)).append(";\n");
        for (Step step : steps) {
            sql.append("\n-- ").append(step.what()).append('\n').append(step.sql().strip()).append(step.sql().strip().endsWith(";") ? "\n" : ";\n");
        }
        return sql.append("\nCOMMIT;\n").toString();
    }

    static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static String describe(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }
}
