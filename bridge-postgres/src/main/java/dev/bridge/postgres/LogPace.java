package dev.bridge.postgres;

import java.util.concurrent.TimeUnit;

/**
 * Decides, from what the at-least-once listener's reads of the change log find, whether it reads
 * the log every millisecond (busy: writers need not prompt it, and skip {@code NOTIFY} and its
 * commit lock) or waits for prompts (idle). Busy starts when changes come at 1,000/s or more, when
 * one read finds a backlog, or when prompts arrive in a burst; it ends when they come at fewer than
 * 700/s, so that a steady 500/s, which prompts serve best, does not stay busy after a hiccup. For
 * {@link #QUICK_NANOS} after that the log is still read every millisecond, since a writer that saw
 * "no prompts" may commit after the switch. Rates are judged over windows of
 * {@link #WINDOW_NANOS}. Times are {@link System#nanoTime()}. Not thread-safe.
 */
final class LogPace {

    /** A read finding this many changes, or this many prompts between two reads, starts busy reading at once. */
    static final int BURST = 8;
    static final long WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    static final long QUICK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /**
     * From this rate on prompts come less than a millisecond apart, and pgjdbc's wait for them
     * returns only after a pause of a millisecond: a steady stream would hold the listener there.
     */
    static final long BUSY_PER_SECOND = 1_000;
    static final long IDLE_PER_SECOND = 700;

    /** What the listener must tell the writers after a read. */
    enum Switch {
        NONE, TO_BUSY, TO_IDLE
    }

    private boolean busy;
    private long windowStart;
    private long windowChanges;
    private long quickUntil;

    LogPace(long now) {
        windowStart = now;
        quickUntil = now;
    }

    /** Whether the log is to be read every millisecond rather than on prompts. */
    boolean polling(long now) {
        return busy || now - quickUntil < 0;
    }

    boolean busy() {
        return busy;
    }

    /**
     * Takes in a read that found {@code changes}, after {@code prompts} prompts since the previous
     * read, and says whether the listener switches.
     */
    Switch afterRead(int changes, int prompts, long now) {
        windowChanges += changes;
        long elapsed = now - windowStart;
        boolean judged = elapsed >= WINDOW_NANOS;
        Switch result = Switch.NONE;
        if (!busy && (changes >= BURST || prompts >= BURST || judged && windowChanges * 1_000_000_000L >= BUSY_PER_SECOND * elapsed)) {
            busy = true;
            result = Switch.TO_BUSY;
        } else if (busy && judged && windowChanges * 1_000_000_000L < IDLE_PER_SECOND * elapsed) {
            busy = false;
            quickUntil = now + QUICK_NANOS;
            result = Switch.TO_IDLE;
        }
        if (judged || result != Switch.NONE) {
            windowStart = now;
            windowChanges = 0;
        }
        return result;
    }
}
