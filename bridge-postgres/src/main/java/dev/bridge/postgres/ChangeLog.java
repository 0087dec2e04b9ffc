package dev.bridge.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads the change log in snapshot-based batches (the PgQ technique): a batch is the changes whose
 * transaction is visible in the newer snapshot and not in the older one. Snapshots, not sequence
 * numbers, mark progress, because sequence numbers are handed out before commit and so do not
 * follow commit order.
 */
final class ChangeLog {

    /** {@code xmin:xmax:xip,...} as {@code pg_snapshot} prints it. */
    private static final Pattern SNAPSHOT = Pattern.compile("[0-9]{1,20}:[0-9]{1,20}:([0-9]{1,20}(,[0-9]{1,20})*)?");
    /** A snapshot in which no transaction is visible: reading from it yields the whole retained log. */
    static final String BEGINNING = "1:1:";
    private static final int PRUNE_BATCH = 10_000;
    /** A page holds at most this many bytes of changes (and at least one change), so memory stays bounded whatever their size. */
    static final long PAGE_BYTES = 8L << 20;

    private final String firstPage;
    private final String nextPage;
    private final String prune;
    private final String forcedPrune;
    private final String forgetEnded;
    private final String register;
    private final String setPrompts;
    private final String unregister;
    private final String pruneLock;

    ChangeLog(PostgresOptions options) {
        this(options, LogSlice.ALL);
    }

    /** Reads only the changes of {@code slice}; positions, pruning and prompts are those of the whole log. */
    ChangeLog(PostgresOptions options, LogSlice slice) {
        String s = options.quotedSchema();
        String log = s + ".bridge_changes";
        String window = "SELECT seq, change, total FROM (SELECT c.seq, c.change, count(*) OVER () AS total,"
                + " sum(octet_length(c.change)) OVER (ORDER BY c.seq) - octet_length(c.change) AS before FROM ";
        // A read's first page takes the statement's own snapshot as its upper bound, and returns it. Its candidates come
        // from the txid index, in a separate step so that no plan can walk the whole log in seq order instead.
        firstPage = "WITH r AS MATERIALIZED (SELECT seq FROM " + log
                + " WHERE txid >= pg_snapshot_xmin(?::pg_snapshot) AND txid < pg_snapshot_xmax(pg_current_snapshot())"
                + " AND pg_visible_in_snapshot(txid, pg_current_snapshot()) AND NOT pg_visible_in_snapshot(txid, ?::pg_snapshot)"
                + " AND " + slice.sql("change") + ")"
                + " SELECT s.snap, p.seq, p.change, p.total FROM (SELECT pg_current_snapshot()::text AS snap) s LEFT JOIN ("
                + window + "(SELECT seq FROM r ORDER BY seq LIMIT ?) l JOIN " + log + " c ON c.seq = l.seq) w"
                + " WHERE before < " + PAGE_BYTES + ") p ON true ORDER BY p.seq";
        // Later pages exist only when a read finds more than a page, as when catching up: walking on in seq order is then right.
        nextPage = "SELECT NULL, seq, change, total FROM (" + window + "(SELECT seq, change FROM " + log
                + " WHERE seq > ? AND pg_visible_in_snapshot(txid, ?::pg_snapshot) AND NOT pg_visible_in_snapshot(txid, ?::pg_snapshot)"
                + " AND " + slice.sql("change")
                + " ORDER BY seq LIMIT ?) c) w WHERE before < " + PAGE_BYTES + ") p ORDER BY seq";
        // One listener prunes at a time (each sink has its own): a transaction's advisory lock per batch, which any role may
        // take, and which a connection lost part way cannot keep.
        String pruneKey = (Ddl.LOCK_NAMESPACE + 1) + ", hashtext(" + BridgeSchema.literal(options.schema()) + ")";
        pruneLock = "SELECT pg_try_advisory_xact_lock(" + pruneKey + ")";
        String listeners = s + ".bridge_listeners";
        forgetEnded = "DELETE FROM " + listeners + " WHERE pid NOT IN (SELECT pid FROM pg_stat_activity WHERE pid IS NOT NULL)";
        register = "INSERT INTO " + listeners + " (pid, channel_name, prompts) VALUES (pg_backend_pid(), ?, true)"
                + " ON CONFLICT (pid) DO UPDATE SET channel_name = EXCLUDED.channel_name, prompts = true";
        setPrompts = "UPDATE " + listeners + " SET prompts = ? WHERE pid = pg_backend_pid()";
        unregister = "DELETE FROM " + listeners + " WHERE pid = pg_backend_pid()";
        prune = "DELETE FROM " + s + ".bridge_changes WHERE seq IN (SELECT c.seq FROM " + s + ".bridge_changes c"
                + " WHERE c.created_at < now() - ?::interval AND NOT EXISTS (SELECT 1 FROM " + s + ".bridge_consumers k"
                + " WHERE NOT pg_visible_in_snapshot(c.txid, " + passedSnapshot("k.checkpoint") + ")) ORDER BY c.seq LIMIT " + PRUNE_BATCH + ")";
        // Past the maximum retention, changes go even if a consumer has not passed them; each consumer that had not is told how many.
        forcedPrune = "WITH gone AS (DELETE FROM " + s + ".bridge_changes WHERE seq IN (SELECT seq FROM " + s + ".bridge_changes"
                + " WHERE created_at < now() - ?::interval ORDER BY seq LIMIT " + PRUNE_BATCH + ")"
                + " RETURNING seq, txid, created_at),"
                + " missed AS (SELECT k.name, k.sink, k.part, count(*) AS n, max(g.created_at) AS until FROM " + s + ".bridge_consumers k JOIN gone g"
                + " ON NOT " + passed("k.checkpoint", "g.txid", "g.seq") + " GROUP BY k.name, k.sink, k.part),"
                + " told AS (UPDATE " + s + ".bridge_consumers k SET lost = k.lost + m.n,"
                + " lost_until = greatest(k.lost_until, m.until) FROM missed m WHERE k.name = m.name AND k.sink = m.sink AND k.part = m.part"
                + " RETURNING k.name, k.sink, m.n)"
                + " SELECT (SELECT count(*) FROM gone), t.name, t.sink, t.n FROM (SELECT 1) one LEFT JOIN told t ON true";
    }

    static boolean isSnapshot(String position) {
        return SNAPSHOT.matcher(position).matches();
    }

    static String requireSnapshot(String position) {
        if (!isSnapshot(position)) {
            throw new IllegalArgumentException("a change-log checkpoint is a PostgreSQL snapshot such as 7305:7309:7306,7307,"
                    + " got '" + position + "'; reset the consumer's checkpoint");
        }
        return position;
    }

    /**
     * A consumer's position in the log: everything visible in {@code from}; and, part way through a
     * read towards {@code to} (a read of many pages, as when catching up), of the changes visible in
     * {@code to} and not in {@code from}, those up to seq {@code afterSeq}, since a read hands them
     * over in seq order. Written {@code from} alone, or {@code from/to/afterSeq}.
     */
    record Position(String from, String to, long afterSeq) {

        Position {
            requireSnapshot(from);
            if (to != null) {
                requireSnapshot(to);
            }
        }

        static Position parse(String text) {
            String[] parts = text.split("/", -1);
            try {
                if (parts.length == 3) {
                    return new Position(parts[0], parts[1], Long.parseLong(parts[2]));
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            if (parts.length != 1) {
                throw new IllegalArgumentException("a change-log checkpoint is a PostgreSQL snapshot such as 7305:7309:7306,7307,"
                        + " or one and a position within a read, got '" + text + "'; reset the consumer's checkpoint");
            }
            return new Position(text, null, 0);
        }

        boolean withinRead() {
            return to != null;
        }

        @Override
        public String toString() {
            return to == null ? from : from + "/" + to + "/" + afterSeq;
        }
    }

    /** SQL: whether the stored position in {@code column} has passed the change of {@code txid} and {@code seq}. */
    static String passed(String column, String txid, String seq) {
        return "(pg_visible_in_snapshot(" + txid + ", " + passedSnapshot(column) + ") OR coalesce(pg_visible_in_snapshot(" + txid
                + ", nullif(split_part(" + column + ", '/', 2), '')::pg_snapshot) AND " + seq + " <= nullif(split_part(" + column
                + ", '/', 3), '')::bigint, false))";
    }

    /** SQL for the snapshot whose changes a stored position has certainly passed: its {@code from}. */
    static String passedSnapshot(String column) {
        return "split_part(" + column + ", '/', 1)::pg_snapshot";
    }

    record Row(long seq, String change) {
    }

    /**
     * Changes in seq order, committed before {@code snapshot}; {@code more} if the page was cut short
     * (by count or bytes) and another may follow.
     */
    record Page(String snapshot, List<Row> rows, boolean more) {
    }

    /**
     * The first page of a read: up to {@code limit} changes, and at most about {@link #PAGE_BYTES},
     * committed after {@code from} and before the database's current snapshot, which the page
     * names, in seq order.
     */
    Page first(Connection c, String from, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(firstPage)) {
            ps.setString(1, from);
            ps.setString(2, from);
            ps.setInt(3, limit);
            return read(ps, null, limit);
        }
    }

    /** The page after the change {@code afterSeq} of a read from {@code from} to {@code to}. */
    Page next(Connection c, String from, String to, long afterSeq, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(nextPage)) {
            ps.setLong(1, afterSeq);
            ps.setString(2, to);
            ps.setString(3, from);
            ps.setInt(4, limit);
            return read(ps, to, limit);
        }
    }

    private static Page read(PreparedStatement ps, String to, int limit) throws SQLException {
        List<Row> rows = new ArrayList<>();
        String snapshot = to;
        long total = 0;
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                if (to == null) {
                    snapshot = rs.getString(1);
                }
                long seq = rs.getLong(2);
                if (!rs.wasNull()) {
                    rows.add(new Row(seq, rs.getString(3)));
                    total = rs.getLong(4);
                }
            }
        }
        return new Page(snapshot, rows, total == limit || rows.size() < total);
    }

    /** Registers this connection's listener on {@code channel}, wanting prompts, and forgets listeners whose session ended. */
    void register(Connection c, String channel) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.executeUpdate(forgetEnded);
        }
        try (PreparedStatement ps = c.prepareStatement(register)) {
            ps.setString(1, channel);
            ps.executeUpdate();
        }
    }

    /** Whether writers should prompt this connection's listener; while every listener of a channel says no, they send nothing. */
    void prompts(Connection c, boolean wanted) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(setPrompts)) {
            ps.setBoolean(1, wanted);
            ps.executeUpdate();
        }
    }

    /** Removes this connection's listener, before it closes. */
    void unregister(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.executeUpdate(unregister);
        }
    }

    /** One sink of one consumer: a position in the log ({@code sink} empty for a consumer's position from before schema 6). */
    record Reader(String consumer, String sink) implements Comparable<Reader> {
        @Override
        public int compareTo(Reader other) {
            int byConsumer = consumer.compareTo(other.consumer);
            return byConsumer != 0 ? byConsumer : sink.compareTo(other.sink);
        }
    }

    /**
     * What a prune deleted: {@code passed}, changes every sink had passed (older than the
     * retention); {@code forced}, changes older than the maximum retention that some sink had
     * not; {@code missed}, how many of those each such sink had not read.
     */
    record Pruned(long passed, long forced, java.util.Map<Reader, Long> missed) {
    }

    /**
     * Deletes, in batches of {@value #PRUNE_BATCH}, each in its own short transaction, the changes older
     * than {@code retention} that every registered sink has passed, then those older than
     * {@code maxRetention} (unless zero) whatever the sinks, counting for each sink those it had not
     * passed. A batch that another listener is pruning at the same moment is left to it: they would
     * only wait on each other.
     */
    Pruned prune(Connection c, Duration retention, Duration maxRetention) throws SQLException {
        c.setAutoCommit(false);
        SQLException failed = null;
        try {
            return pruneInBatches(c, retention, maxRetention);
        } catch (SQLException e) {
            failed = e;
            c.rollback();
            throw e;
        } finally {
            try {
                c.setAutoCommit(true);
            } catch (SQLException e) {
                if (failed == null) {
                    throw e;
                }
                failed.addSuppressed(e);
            }
        }
    }

    /** In its own transaction, takes the prune lock, or returns false (and ends the transaction) if another listener holds it. */
    private boolean lockForABatch(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(pruneLock)) {
            rs.next();
            if (rs.getBoolean(1)) {
                return true;
            }
        }
        c.rollback();
        return false;
    }

    private Pruned pruneInBatches(Connection c, Duration retention, Duration maxRetention) throws SQLException {
        long passed = 0;
        try (PreparedStatement ps = c.prepareStatement(prune)) {
            ps.setString(1, retention.toMillis() + " milliseconds");
            int n;
            do {
                if (!lockForABatch(c)) {
                    return new Pruned(passed, 0, java.util.Map.of());
                }
                n = ps.executeUpdate();
                c.commit();
                passed += n;
            } while (n == PRUNE_BATCH);
        }
        long forced = 0;
        java.util.Map<Reader, Long> missed = new java.util.TreeMap<>();
        if (!maxRetention.isZero()) {
            try (PreparedStatement ps = c.prepareStatement(forcedPrune)) {
                ps.setString(1, maxRetention.toMillis() + " milliseconds");
                long n;
                do {
                    n = 0;
                    if (!lockForABatch(c)) {
                        break;
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            n = rs.getLong(1);
                            if (rs.getString(2) != null) {
                                missed.merge(new Reader(rs.getString(2), rs.getString(3)), rs.getLong(4), Long::sum);
                            }
                        }
                    }
                    c.commit();
                    forced += n;
                } while (n == PRUNE_BATCH);
            }
        }
        return new Pruned(passed, forced, missed);
    }
}
