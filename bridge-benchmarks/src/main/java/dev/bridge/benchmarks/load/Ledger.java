package dev.bridge.benchmarks.load;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import org.HdrHistogram.Histogram;

/**
 * Checks every change off: writers note when they send it, the subscriber when it arrives. The
 * first arrival of a measured change records its latency; a later one counts as a duplicate; one
 * that matches no sent change (an unknown id or version, or one not sent yet) counts as
 * unexpected. Whatever measured change never arrives is lost. Times are {@link System#nanoTime()}.
 * Thread-safe.
 */
final class Ledger implements Arrivals {

    /** Latencies up to an hour, in microseconds, to three significant digits. */
    static final long MAX_MICROS = 3_600_000_000L;

    private final Workload workload;
    private final AtomicLongArray sentAt;
    private final AtomicIntegerArray arrivals;
    private final Histogram latency = new Histogram(MAX_MICROS, 3);
    private long warmupReceived;
    private long received;
    private long duplicates;
    private long unexpected;
    private long lastArrival;

    Ledger(Workload workload) {
        if (workload.total() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("at most " + Integer.MAX_VALUE + " changes per run, got " + workload.total());
        }
        this.workload = workload;
        this.sentAt = new AtomicLongArray((int) workload.total());
        this.arrivals = new AtomicIntegerArray((int) workload.total());
    }

    /** Just before the statement of the change in {@code slot} is sent. */
    void sent(long slot, long nanos) {
        sentAt.set((int) slot, nanos);
    }

    /** When the statement of the change in {@code slot} was sent (nanoTime); 0 if it has not been. */
    long sentAt(long slot) {
        return sentAt.get((int) slot);
    }

    /** How many changes have been sent so far. */
    long sentCount() {
        long n = 0;
        for (int s = 0; s < sentAt.length(); s++) {
            if (sentAt.get(s) != 0) {
                n++;
            }
        }
        return n;
    }

    @Override
    public synchronized void arrived(long id, long version, long nanos) {
        long slot = workload.slotOf(id, version);
        long sent = slot < 0 ? 0 : sentAt.get((int) slot);
        if (sent == 0) {
            unexpected++;
            return;
        }
        int n = arrivals.incrementAndGet((int) slot);
        if (n > 1) {
            duplicates++;
            return;
        }
        if (!workload.measured(slot)) {
            warmupReceived++;
            return;
        }
        received++;
        lastArrival = Math.max(lastArrival, nanos);
        latency.recordValue(Math.min(MAX_MICROS, Math.max(0, (nanos - sent) / 1_000)));
    }

    synchronized long warmupReceived() {
        return warmupReceived;
    }

    /** Measured changes that arrived at least once. */
    synchronized long received() {
        return received;
    }

    /** What has been counted so far; {@code measured} is how many measured changes were sent. */
    synchronized Tally tally(long measured) {
        return new Tally(received, measured - received, duplicates, unexpected, lastArrival, latency.copy());
    }

    /**
     * @param received measured changes that arrived at least once
     * @param lost measured changes sent that never arrived
     * @param duplicates arrivals after the first of any change, warm-up included
     * @param unexpected arrivals that match no sent change
     * @param lastArrival when the last measured change first arrived (nanoTime), 0 if none did
     * @param latency microseconds from send to first arrival of each measured change
     */
    record Tally(long received, long lost, long duplicates, long unexpected, long lastArrival, Histogram latency) {
    }
}
