package dev.bridge.postgres;

import dev.bridge.core.Gap;
import dev.bridge.core.port.ChangeHandler;
import dev.bridge.core.port.Subscription;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
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

    private final ConnectionFactory connections;
    private final PostgresOptions options;
    private final ChangeHandler handler;
    private final ListenMode mode;
    private final ListenerCounters counts = new ListenerCounters();
    private final LogThrottle throttle = new LogThrottle(10, TimeUnit.SECONDS, System::nanoTime);
    private final Thread thread;
    private volatile CountDownLatch connectedLatch = new CountDownLatch(1);
    private volatile boolean closed;
    private volatile boolean connected;
    private volatile long reconnects;
    private volatile double queueUsage;
    private volatile int backendPid;

    PostgresListener(ConnectionFactory connections, PostgresOptions options, ChangeHandler handler, String from, LogSlice slice) {
        this.connections = connections;
        this.options = options;
        this.handler = handler;
        this.mode = options.mode() == DeliveryMode.AT_LEAST_ONCE ? new LogReading(from, slice, options, handler, counts, throttle, () -> closed)
                : new FrameReading(options, handler, counts, throttle);
        this.thread = new Thread(this::run, "bridge-listener-" + options.channel());
        this.thread.setDaemon(true);
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
        return new ListenerStats(connected, counts.notifications, counts.changes, counts.malformed, counts.replayedMessages,
                counts.rejectedLogRows, reconnects, queueUsage,
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
        return describe(e, connections);
    }

    /** "message [SQLSTATE 08006] at postgres at host:port/db", for a log line; the connection's description holds no secret. */
    static String describe(Exception e, ConnectionFactory connections) {
        String state = e instanceof SQLException sql && sql.getSQLState() != null ? " [SQLSTATE " + sql.getSQLState() + "]" : "";
        return e.getMessage() + state + " at " + connections;
    }
}
