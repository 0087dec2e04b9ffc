package dev.bridge.postgres;

import dev.bridge.core.Change;
import dev.bridge.core.ChangeJson;
import dev.bridge.core.Checkpoint;
import dev.bridge.core.MalformedChangeException;
import dev.bridge.core.port.ChangeHandler;
import dev.bridge.core.protocol.ReassemblyStats;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.QueryExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At-least-once: the change log is read from the checkpoint, after each (re)connection, on every
 * prompt and at least every poll interval; notifications are only prompts.
 */
final class LogReading implements ListenMode {

    private static final Logger log = LoggerFactory.getLogger(PostgresListener.class);
    /** How often the log is read while {@link LogPace} says so. */
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** How long to wait for notifications while the handler has no room, between looks at its room. */
    private static final int HELD_WAIT_MILLIS = 10;

    private final PostgresOptions options;
    private final ChangeHandler handler;
    private final ListenerCounters counts;
    private final LogThrottle throttle;
    private final BooleanSupplier closed;
    private final ChangeLog changeLog;
    /** How many partitions the log is split into for this reader: it sees about this share of what the writers write. */
    private final int share;
    /** The snapshot up to which the log has been handed over. */
    private String position;
    /** A read that a checkpoint left part way (resumed from a position within a read), or null. */
    private ChangeLog.Position unfinished;
    /** Seqs (from {@link #batchBase}) of the unfinished batch already handed over, so a re-read after a lost connection skips them. */
    private final java.util.BitSet handedOver = new java.util.BitSet();
    private long batchBase = -1;
    /** Whether the last read stopped because the handler had no room: it goes on as soon as there is. */
    private boolean heldBack;
    private LogPace pace;
    private int prompts;
    private long nextPoll;
    private long nextPrune;
    private QueryExecutor queued;

    LogReading(String from, LogSlice slice, PostgresOptions options, ChangeHandler handler, ListenerCounters counts, LogThrottle throttle,
            BooleanSupplier closed) {
        this.options = options;
        this.handler = handler;
        this.counts = counts;
        this.throttle = throttle;
        this.closed = closed;
        this.changeLog = new ChangeLog(options, slice);
        this.share = slice.partitions();
        ChangeLog.Position start = ChangeLog.Position.parse(from);
        this.position = start.from();
        this.unfinished = start.withinRead() ? start : null;
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
        boolean due = heldBack || prompts > 0 || pace.polling(now) || now - nextPoll >= 0;
        boolean room = !due || handler.hasRoom(0);
        if (due && room) {
            int read = readLog(c);
            now = System.nanoTime();
            nextPoll = now + options.pollInterval().toNanos();
            // The pace follows the writers' rate, which a partition's reader sees a share of.
            switch (pace.afterRead(read * share, prompts, now)) {
                case TO_BUSY -> changeLog.prompts(c, false);
                case TO_IDLE -> changeLog.prompts(c, true);
                case NONE -> { }
            }
            prompts = 0;
        } else if (due) {
            // A sink that cannot take more now (slow, or its endpoint down): the log keeps the changes; read on once it has room.
            heldBack = true;
        }
        if (now - nextPrune >= 0) {
            prune(c);
            nextPrune = now + options.pruneInterval().toNanos();
        }
        if (heldBack) {
            PGNotification[] received = pg.getNotifications(HELD_WAIT_MILLIS);
            if (received != null) {
                prompts += ownPrompts(received);
            }
            return;
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
        pruned.missed().forEach((reader, n) -> log.warn("pruned {} changes older than the maximum retention ({}) from the"
                + " log of schema {} that sink '{}' of consumer {} had not read: it will never receive them. `bridge checkpoint show`"
                + " lists each sink and what it missed; `bridge checkpoint drop --consumer {} --sink {}` removes one no longer used",
                n, options.maxRetention(), options.schema(), reader.sink(), reader.consumer(), reader.consumer(), reader.sink()));
    }

    private int ownPrompts(PGNotification[] received) {
        int n = 0;
        for (PGNotification notification : received) {
            if (options.channel().equals(notification.getName())) {
                n++;
            }
        }
        counts.notifications += n;
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
        heldBack = false;
        while (true) {
            read += page.rows().size();
            for (ChangeLog.Row row : page.rows()) {
                if (!handler.hasRoom(row.change().length())) {
                    // Stop here; the next read goes on after the last change handed over, and so would a restart.
                    heldBack = true;
                    unfinished = new ChangeLog.Position(position, next, afterSeq);
                    handler.onCheckpoint(new Checkpoint(unfinished.toString()));
                    return read;
                }
                afterSeq = row.seq();
                handOver(row);
            }
            if (!page.more()) {
                break;
            }
            handler.onCheckpoint(new Checkpoint(new ChangeLog.Position(position, next, afterSeq).toString()));
            if (closed.getAsBoolean()) {
                // Closed part way: what was handed over is covered by the checkpoint just passed.
                return read;
            }
            page = changeLog.next(c, position, next, afterSeq, options.pageSize());
        }
        position = next;
        unfinished = null;
        batchBase = -1;
        handedOver.clear();
        handler.onCheckpoint(new Checkpoint(next));
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
            counts.malformed++;
            markHandedOver(row.seq());
            long held = throttle.admit("log:malformed");
            if (held >= 0) {
                log.error("change {} in the log of schema {} is not a valid change and is skipped: {}{}",
                        row.seq(), options.schema(), e.getMessage(), LogThrottle.held(held, "10 s"));
            }
            return;
        }
        if (change.seq() != row.seq()) {
            counts.rejectedLogRows++;
            markHandedOver(row.seq());
            long held = throttle.admit("log:seq");
            if (held >= 0) {
                log.error("log row {} of schema {} holds a change that says it is seq {}: no capture trigger wrote it,"
                        + " so it is skipped; check which roles may write {}.bridge_changes (docs/security.md){}",
                        row.seq(), options.schema(), change.seq(), options.schema(), LogThrottle.held(held, "10 s"));
            }
            return;
        }
        counts.changes++;
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
