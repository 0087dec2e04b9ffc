package dev.bridge.postgres;

import dev.bridge.core.Change;
import dev.bridge.core.ChangeJson;
import dev.bridge.core.Checkpoint;
import dev.bridge.core.Gap;
import dev.bridge.core.MalformedChangeException;
import dev.bridge.core.port.ChangeHandler;
import dev.bridge.core.port.Subscription;
import dev.bridge.core.protocol.FrameKey;
import dev.bridge.core.protocol.Outcome;
import dev.bridge.core.protocol.Payload;
import dev.bridge.core.protocol.Reassembler;
import dev.bridge.core.protocol.ReassemblyStats;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.QueryExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running subscription to the change channel: one thread, one dedicated connection in autocommit
 * (no transaction is ever held open while waiting), reconnecting with exponential backoff and full
 * jitter; at most once, it tells its handler about every gap (at least once there is none: the log
 * has what was committed meanwhile).
 *
 * <p>At-least-once: it reads the change log in snapshot-based batches from its checkpoint, after
 * every (re)connection, whenever a notification prompts it and at least every poll interval, and
 * passes a checkpoint after each batch; notifications are only prompts, so a forged one can at most
 * make it read early. It trusts the log row, not the JSON in it: a row whose change names another
 * seq than the row's own was not written by a capture trigger, and is skipped. While changes come
 * quickly it reads the log every millisecond and tells the writers (a row in
 * {@code bridge_listeners}) that it needs no prompts, which spares them NOTIFY's commit lock; when
 * they slow down it asks for prompts again ({@link LogPace}). At-most-once: it reassembles the
 * changes from signed frames (docs/protocol.md §2.5); changes committed while it is disconnected
 * are not seen, frames that are not signed with the schema's key are rejected, and a signed
 * message sent again is not delivered again ({@link ReplayGuard}). Rejections are counted in
 * {@link #stats()} and logged with their message id, at most once per kind every 10 s, and never
 * delivered. Thread-safe.
 */
public final class PostgresListener implements Subscription {

    private static final Logger log = LoggerFactory.getLogger(PostgresListener.class);
    private static final long MAX_POLL_MILLIS = 250;
    /** At-least-once: how often the log is read while {@link LogPace} says so. */
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final ConnectionFactory connections;
    private final PostgresOptions options;
    private final ChangeHandler handler;
    private final Mode mode;
    private final LogThrottle throttle = new LogThrottle(10, TimeUnit.SECONDS, System::nanoTime);
    private final Thread thread;
    private volatile CountDownLatch connectedLatch = new CountDownLatch(1);
    private volatile boolean closed;
    private volatile boolean connected;
    private volatile long notifications;
    private volatile long changes;
    private volatile long malformed;
    private volatile long replayedMessages;
    private volatile long rejectedLogRows;
    private volatile long reconnects;
    private volatile double queueUsage;
    private volatile int backendPid;

    PostgresListener(ConnectionFactory connections, PostgresOptions options, ChangeHandler handler, String from) {
        this.connections = connections;
        this.options = options;
        this.handler = handler;
        this.mode = options.mode() == DeliveryMode.AT_LEAST_ONCE ? new LogReading(from) : new FrameReading();
        this.thread = new Thread(this::run, "bridge-listener-" + options.channel());
        this.thread.setDaemon(true);
    }

    /**
     * What the listener does on its connection, by delivery mode; the reconnect loop and the
     * liveness check around it are the listener's.
     */
    private interface Mode {
        /** Before LISTEN, on each new connection. */
        void prepare(Connection c) throws SQLException;

        /** After LISTEN, before the first {@link #step}. */
        void listening(Connection c) throws SQLException;

        /** Whether changes committed while disconnected are missed (so the handler is told of a gap). */
        boolean missesWhileDisconnected();

        /** One turn of the loop: waits at most {@code waitMillis} for work, and does it. */
        void step(Connection c, PGConnection pg, long now, int waitMillis) throws SQLException, InterruptedException;

        /** After each liveness check, which read {@code snapshot}. */
        void checked(PGConnection pg, String snapshot) throws SQLException, InterruptedException;

        /** On leaving a connection that still works (the listener is closing). */
        void leaving(Connection c);

        ReassemblyStats reassembly();
    }

    void start() {
        thread.start();
    }

    /** Waits until the listener is listening; returns false on timeout. */
    public boolean awaitListening(Duration timeout) throws InterruptedException {
        return connectedLatch.await(timeout.toMillis(), TimeUnit.MILLISECONDS) && connected;
    }

    /** The process id of the listener's backend, or 0 while disconnected; for diagnostics. */
    public int backendPid() {
        return backendPid;
    }

    public ListenerStats stats() {
        return new ListenerStats(connected, notifications, changes, malformed, replayedMessages, rejectedLogRows, reconnects, queueUsage,
                mode.reassembly());
    }

    @Override
    public boolean isActive() {
        return !closed && thread.isAlive();
    }

    @Override
    public void close() {
        closed = true;
        try {
            thread.join(MAX_POLL_MILLIS * 4 + options.checkTimeout().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            thread.interrupt();
        }
    }

    private void run() {
        long backoff = options.reconnectMin().toMillis();
        Instant lostAt = null;
        String lostCause = null;
        boolean everConnected = false;
        Instant subscribedAt = Instant.now();
        while (!closed) {
            boolean served = false;
            try (Connection c = connections.open()) {
                c.setAutoCommit(true);
                // Every read from the server, not only the liveness check, must give up on a dead socket.
                c.setNetworkTimeout(Runnable::run, (int) options.checkTimeout().toMillis());
                PGConnection pg = c.unwrap(PGConnection.class);
                backendPid = pg.getBackendPID();
                mode.prepare(c);
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + Identifiers.quote("channel", options.channel()));
                }
                connected = true;
                connectedLatch.countDown();
                boolean reconnecting = everConnected;
                everConnected = true;
                mode.listening(c);
                long checkEvery = options.checkInterval().toNanos();
                long nextCheck = System.nanoTime();
                int wait = (int) Math.min(MAX_POLL_MILLIS, Math.min(options.checkInterval().toMillis(), options.pollInterval().toMillis()));
                while (!closed) {
                    long now = System.nanoTime();
                    if (now - nextCheck >= 0) {
                        check(c, pg);
                        nextCheck = now + checkEvery;
                    }
                    mode.step(c, pg, now, wait);
                    if (!served) {
                        // The connection has done its work once: a failure after this is a lost connection, retried at once.
                        served = true;
                        backoff = options.reconnectMin().toMillis();
                        if (reconnecting) {
                            reconnects++;
                            log.info("listener reconnected to channel {}", options.channel());
                        }
                        if (lostAt != null) {
                            if (mode.missesWhileDisconnected()) {
                                handler.onGap(new Gap(lostAt, Instant.now(), lostCause));
                            }
                            lostAt = null;
                        }
                    }
                }
                mode.leaving(c);
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    break;
                }
                if (served || lostAt == null) {
                    lostAt = everConnected ? Instant.now() : subscribedAt;
                    lostCause = describe(e);
                }
                markDisconnected();
                long delay = ThreadLocalRandom.current().nextLong(backoff + 1);
                if (served || lostConnection(e)) {
                    log.warn("listener on channel {} lost its connection ({}); reconnecting in {} ms", options.channel(), describe(e), delay);
                } else {
                    // Before it ever worked (a missing grant, a wrong password): tried again later and later, up to reconnect-max.
                    log.warn("listener on channel {} could not start listening ({}); trying again in {} ms", options.channel(),
                            describe(e), delay);
                }
                backoff = Math.min(backoff * 2, options.reconnectMax().toMillis());
                if (!sleep(delay)) {
                    break;
                }
            } catch (InterruptedException e) {
                break;
            }
        }
        markDisconnected();
    }

    /**
     * Proves the connection alive within {@code checkTimeout} (a blocked wait for notifications never
     * notices a dead socket) and reads the notification queue's fill.
     */
    private void check(Connection c, PGConnection pg) throws SQLException, InterruptedException {
        String snapshot;
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_notification_queue_usage(), pg_current_snapshot()::text")) {
            rs.next();
            double usage = rs.getDouble(1);
            snapshot = rs.getString(2);
            if (usage >= options.queueUsageWarning() && queueUsage < options.queueUsageWarning()) {
                log.warn("PostgreSQL's notification queue is {}% full (warning at {}%); a listener is not keeping up"
                        + " or a session holds a transaction open", Math.round(usage * 100), Math.round(options.queueUsageWarning() * 100));
            }
            queueUsage = usage;
        }
        mode.checked(pg, snapshot);
    }

    /**
     * At-least-once: the change log is read from the checkpoint, after each (re)connection, on every
     * prompt and at least every poll interval; notifications are only prompts.
     */
    private final class LogReading implements Mode {
        private final ChangeLog changeLog = new ChangeLog(options);
        /** The snapshot up to which the log has been handed over. */
        private String position;
        /** A read that a checkpoint left part way (resumed from a position within a read), or null. */
        private ChangeLog.Position unfinished;
        /** Seqs (from {@link #batchBase}) of the unfinished batch already handed over, so a re-read after a lost connection skips them. */
        private final java.util.BitSet handedOver = new java.util.BitSet();
        private long batchBase = -1;
        private LogPace pace;
        private int prompts;
        private long nextPoll;
        private long nextPrune;
        private QueryExecutor queued;

        LogReading(String from) {
            ChangeLog.Position start = ChangeLog.Position.parse(from);
            this.position = start.from();
            this.unfinished = start.withinRead() ? start : null;
        }

        @Override
        public void prepare(Connection c) {
        }

        @Override
        public void listening(Connection c) throws SQLException {
            long now = System.nanoTime();
            pace = new LogPace(now);
            prompts = 0;
            nextPoll = now;
            nextPrune = now + options.pruneInterval().toNanos();
            queued = c.unwrap(BaseConnection.class).getQueryExecutor();
            changeLog.register(c, options.channel());
        }

        /** The log holds what was committed meanwhile: nothing was missed. */
        @Override
        public boolean missesWhileDisconnected() {
            return false;
        }

        @Override
        public void step(Connection c, PGConnection pg, long now, int waitMillis) throws SQLException, InterruptedException {
            if (prompts > 0 || pace.polling(now) || now - nextPoll >= 0) {
                int read = readLog(c);
                now = System.nanoTime();
                nextPoll = now + options.pollInterval().toNanos();
                switch (pace.afterRead(read, prompts, now)) {
                    case TO_BUSY -> changeLog.prompts(c, false);
                    case TO_IDLE -> changeLog.prompts(c, true);
                    case NONE -> { }
                }
                prompts = 0;
            }
            if (now - nextPrune >= 0) {
                prune(c);
                nextPrune = now + options.pruneInterval().toNanos();
            }
            if (pace.polling(System.nanoTime())) {
                // Not pgjdbc's wait: it would hold on while prompts keep coming. Those the reads took in are only counted.
                prompts += ownPrompts(queued.getNotifications());
                LockSupport.parkNanos(POLL_NANOS);
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                return;
            }
            PGNotification[] received = pg.getNotifications(waitMillis);
            if (received != null) {
                prompts += ownPrompts(received);
            }
        }

        @Override
        public void checked(PGConnection pg, String snapshot) {
        }

        @Override
        public void leaving(Connection c) {
            try {
                changeLog.unregister(c);
            } catch (SQLException e) {
                log.debug("could not unregister the listener of channel {}: {}", options.channel(), e.getMessage());
            }
        }

        @Override
        public ReassemblyStats reassembly() {
            return ReassemblyStats.none();
        }

        private void prune(Connection c) throws SQLException {
            ChangeLog.Pruned pruned = changeLog.prune(c, options.retention(), options.maxRetention());
            if (pruned.passed() > 0) {
                log.info("pruned {} changes from the log of schema {}", pruned.passed(), options.schema());
            }
            pruned.missed().forEach((consumer, n) -> log.warn("pruned {} changes older than the maximum retention ({}) from the"
                    + " log of schema {} that consumer {} had not read: it will never receive them. `bridge checkpoint show`"
                    + " lists each consumer and what it missed; `bridge checkpoint drop --consumer {}` removes one no longer used",
                    n, options.maxRetention(), options.schema(), consumer, consumer));
        }

        private int ownPrompts(PGNotification[] received) {
            int n = 0;
            for (PGNotification notification : received) {
                if (options.channel().equals(notification.getName())) {
                    n++;
                }
            }
            notifications += n;
            return n;
        }

        /**
         * Hands over every change committed since {@link #position}, page by page, then the new position.
         * A read of several pages (a backlog) passes a checkpoint after each page too, so that a consumer
         * that stops part way resumes after the last page it settled, not at the read's start.
         *
         * @return how many changes the log held for this read
         */
        private int readLog(Connection c) throws SQLException, InterruptedException {
            String next;
            long afterSeq;
            ChangeLog.Page page;
            if (unfinished != null) {
                next = unfinished.to();
                afterSeq = unfinished.afterSeq();
                page = changeLog.next(c, position, next, afterSeq, options.pageSize());
            } else {
                page = changeLog.first(c, position, options.pageSize());
                next = page.snapshot();
                afterSeq = 0;
            }
            int read = 0;
            while (true) {
                read += page.rows().size();
                for (ChangeLog.Row row : page.rows()) {
                    afterSeq = row.seq();
                    handOver(row);
                }
                if (!page.more() || closed) {
                    break;
                }
                handler.onCheckpoint(new Checkpoint(new ChangeLog.Position(position, next, afterSeq).toString()));
                page = changeLog.next(c, position, next, afterSeq, options.pageSize());
            }
            if (!closed) {
                position = next;
                unfinished = null;
                batchBase = -1;
                handedOver.clear();
                handler.onCheckpoint(new Checkpoint(next));
            }
            return read;
        }

        /** Hands one logged change over, unless this read already did, or the row is not a change a capture trigger wrote. */
        private void handOver(ChangeLog.Row row) throws InterruptedException {
            if (alreadyHandedOver(row.seq())) {
                return;
            }
            Change change;
            try {
                change = ChangeJson.read(row.change());
            } catch (MalformedChangeException e) {
                malformed++;
                markHandedOver(row.seq());
                long held = throttle.admit("log:malformed");
                if (held >= 0) {
                    log.error("change {} in the log of schema {} is not a valid change and is skipped: {}{}",
                            row.seq(), options.schema(), e.getMessage(), LogThrottle.held(held, "10 s"));
                }
                return;
            }
            if (change.seq() != row.seq()) {
                rejectedLogRows++;
                markHandedOver(row.seq());
                long held = throttle.admit("log:seq");
                if (held >= 0) {
                    log.error("log row {} of schema {} holds a change that says it is seq {}: no capture trigger wrote it,"
                            + " so it is skipped; check which roles may write {}.bridge_changes (docs/security.md){}",
                            row.seq(), options.schema(), change.seq(), options.schema(), LogThrottle.held(held, "10 s"));
                }
                return;
            }
            changes++;
            handler.onChange(change);
            markHandedOver(row.seq());
        }

        private boolean alreadyHandedOver(long seq) {
            long offset = seq - batchBase;
            return batchBase >= 0 && offset >= 0 && offset < Integer.MAX_VALUE && handedOver.get((int) offset);
        }

        private void markHandedOver(long seq) {
            if (batchBase < 0) {
                batchBase = seq;
            }
            long offset = seq - batchBase;
            if (offset >= 0 && offset < Integer.MAX_VALUE) {
                handedOver.set((int) offset);
            }
        }
    }

    /**
     * At-most-once: changes are reassembled from the signed frames that notifications carry; what is
     * committed while disconnected is not seen.
     */
    private final class FrameReading implements Mode {
        /** Made once the frame key is read, on the first connection. */
        private volatile Reassembler reassembler;
        private byte[] frameKey;
        private final ReplayGuard replays = new ReplayGuard();

        @Override
        public void listening(Connection c) {
        }

        @Override
        public boolean missesWhileDisconnected() {
            return true;
        }

        @Override
        public void step(Connection c, PGConnection pg, long now, int waitMillis) throws SQLException, InterruptedException {
            PGNotification[] received = pg.getNotifications(waitMillis);
            if (received != null) {
                handleAll(received);
            }
        }

        /** Handles the notifications that came before the check's answer, then lets the replay guard forget what is old by now. */
        @Override
        public void checked(PGConnection pg, String snapshot) throws SQLException, InterruptedException {
            reassembler.expire();
            PGNotification[] received = pg.getNotifications();
            if (received != null) {
                handleAll(received);
            }
            replays.checked(ReplayGuard.Snapshot.parse(snapshot));
        }

        @Override
        public void leaving(Connection c) {
        }

        @Override
        public ReassemblyStats reassembly() {
            Reassembler frames = reassembler;
            return frames == null ? ReassemblyStats.none() : frames.stats();
        }

        /**
         * At-most-once, before LISTEN: reads the schema's frame key (a new reassembler if it changed)
         * and the snapshot that tells messages of this session from older ones.
         */
        @Override
        public void prepare(Connection c) throws SQLException {
            byte[] key;
            try (PreparedStatement ps = c.prepareStatement("SELECT key FROM " + options.quotedSchema() + ".bridge_frame_keys WHERE id = 1");
                    ResultSet rs = ps.executeQuery()) {
                key = rs.next() ? rs.getBytes(1) : null;
            } catch (SQLException e) {
                throw new SQLException("could not read the frame key of schema " + options.schema() + " (" + e.getMessage()
                        + "); the schema must be at version 5 (`bridge schema install`) and this role needs SELECT on"
                        + " bridge_frame_keys (`bridge schema grant`)", e.getSQLState(), e);
            }
            if (key == null) {
                throw new SQLException("schema " + options.schema() + " has no frame key; run `bridge schema install`", "55000");
            }
            if (frameKey == null || !Arrays.equals(frameKey, key)) {
                if (frameKey != null) {
                    log.warn("the frame key of schema {} changed; messages in flight under the old key are dropped", options.schema());
                }
                reassembler = new Reassembler(options.reassembly(), FrameKey.of(key), PostgresListener.this::logDrop);
                reassembler.refuseReplays(replays::seen);
                frameKey = key;
            }
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_current_snapshot()::text")) {
                rs.next();
                replays.listening(ReplayGuard.Snapshot.parse(rs.getString(1)));
            }
        }

        private void handleAll(PGNotification[] received) throws InterruptedException {
            for (PGNotification n : received) {
                if (options.channel().equals(n.getName())) {
                    notifications++;
                    handle(n.getParameter());
                }
            }
        }

        private void handle(String frame) throws InterruptedException {
            Outcome outcome = reassembler.accept(frame);
            if (outcome instanceof Outcome.Complete complete) {
                Change change = decode(complete);
                if (change != null) {
                    changes++;
                    handler.onChange(change);
                }
            } else if (outcome instanceof Outcome.Rejected rejected) {
                logDrop(rejected);
            }
        }

        /** The change a complete message carries, or null (counted and logged) if it is not one or is a replay. */
        private Change decode(Outcome.Complete complete) {
            try {
                return switch (complete.version()) {
                    case Outcome.LEGACY -> ChangeJson.read(complete.payload().asString(), Instant.now());
                    case 1 -> ChangeJson.read(complete.payload().asString());
                    default -> signed(complete);
                };
            } catch (MalformedChangeException e) {
                malformed++;
                long held = throttle.admit("message:malformed");
                if (held >= 0) {
                    log.warn("dropped message {} on channel {}: not a valid change: {}{}", complete.messageId(), options.channel(),
                            e.getMessage(), LogThrottle.held(held, "10 s"));
                }
                return null;
            }
        }

        /** A signed message: {@code txid ":" change}, the change's seq being its message id; null if a replay. */
        private Change signed(Outcome.Complete complete) {
            Payload payload = complete.payload();
            String head = payload.asString(0, Math.min(payload.size(), 21));
            int colon = head.indexOf(':');
            long txid;
            long id;
            try {
                txid = Long.parseUnsignedLong(head, 0, Math.max(colon, 0), 10);
                id = Long.parseUnsignedLong(complete.messageId(), 16);
            } catch (NumberFormatException | IndexOutOfBoundsException e) {
                throw new MalformedChangeException("a signed message starts with its transaction id and a colon, and its id is its seq in hexadecimal");
            }
            Change change = ChangeJson.read(payload.asString(colon + 1, payload.size()));
            if (change.seq() != id) {
                throw new MalformedChangeException("its change has seq " + change.seq() + ", not the message id's " + id);
            }
            String replay = replays.admit(txid, change.seq());
            if (replay != null) {
                replayedMessages++;
                long held = throttle.admit("message:replayed");
                if (held >= 0) {
                    log.warn("ignored message {} on channel {}, sent again: {}{}", complete.messageId(), options.channel(), replay,
                            LogThrottle.held(held, "10 s"));
                }
                return null;
            }
            return change;
        }

    }

    private void logDrop(Outcome.Rejected rejected) {
        long held = throttle.admit("frame:" + rejected.reason());
        if (held >= 0) {
            log.warn("rejected a frame on channel {}: {}{} ({}){}", options.channel(), rejected.reason(),
                    rejected.messageId() == null ? "" : " of message " + rejected.messageId(), rejected.detail(),
                    LogThrottle.held(held, "10 s"));
        } else if (log.isDebugEnabled()) {
            log.debug("rejected a frame on channel {}: {} ({})", options.channel(), rejected.reason(), rejected.detail());
        }
    }

    private void markDisconnected() {
        if (connected) {
            connected = false;
            connectedLatch = new CountDownLatch(1);
        }
        backendPid = 0;
    }

    private boolean sleep(long millis) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        try {
            while (!closed && System.nanoTime() - until < 0) {
                Thread.sleep(Math.min(50, Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime()))));
            }
            return !closed;
        } catch (InterruptedException e) {
            return false;
        }
    }

    /** Whether {@code e} is the connection failing, not the server refusing what the listener does (a missing grant). */
    private static boolean lostConnection(Exception e) {
        String state = e instanceof SQLException sql ? sql.getSQLState() : null;
        return state == null || state.startsWith("08") || state.startsWith("57P");
    }

    private String describe(Exception e) {
        String state = e instanceof SQLException sql && sql.getSQLState() != null ? " [SQLSTATE " + sql.getSQLState() + "]" : "";
        return e.getMessage() + state + " at " + connections;
    }
}
