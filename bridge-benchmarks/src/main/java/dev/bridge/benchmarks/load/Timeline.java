package dev.bridge.benchmarks.load;

import java.util.EnumMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Every change's send time and first arrival at one sink ({@link System#nanoTime()}, 0 for none),
 * by slot, and the figures an outage run draws from them. Not thread-safe: copy it once the
 * arrivals are in ({@link #of}).
 */
record Timeline(long[] sent, long[] arrived) {

    Timeline {
        if (sent.length != arrived.length) {
            throw new IllegalArgumentException("one send and one arrival time per slot, got " + sent.length + " and " + arrived.length);
        }
    }

    /** A copy of what {@code sends} and {@code receipts} hold now for the first {@code slots} slots. */
    static Timeline of(Ledger sends, Receipts receipts, int slots) {
        long[] sent = new long[slots];
        long[] arrived = new long[slots];
        for (int s = 0; s < slots; s++) {
            sent[s] = sends.sentAt(s);
            arrived[s] = receipts.firstArrival(s);
        }
        return new Timeline(sent, arrived);
    }

    /** The changes sent in each phase, how many of them never arrived, and the latency of the others. */
    Map<Phases.Phase, PhaseTally> byPhase(Phases phases) {
        Map<Phases.Phase, PhaseTally> tallies = new EnumMap<>(Phases.Phase.class);
        for (Phases.Phase p : Phases.Phase.values()) {
            tallies.put(p, new PhaseTally());
        }
        for (int s = 0; s < sent.length; s++) {
            Phases.Phase p = sent[s] == 0 ? null : phases.of(sent[s]);
            if (p != null) {
                tallies.get(p).add(sent[s], arrived[s]);
            }
        }
        return tallies;
    }

    /**
     * The changes sent before {@code sentBefore} that had not arrived by {@code pendingAt}, and
     * when the first and the last of them arrived after it.
     */
    Drain drain(long sentBefore, long pendingAt) {
        long count = 0;
        long missing = 0;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (int s = 0; s < sent.length; s++) {
            if (sent[s] == 0 || sent[s] >= sentBefore || (arrived[s] != 0 && arrived[s] < pendingAt)) {
                continue;
            }
            count++;
            if (arrived[s] == 0) {
                missing++;
            } else {
                first = Math.min(first, arrived[s]);
                last = Math.max(last, arrived[s]);
            }
        }
        return count == missing ? new Drain(count, missing, 0, 0) : new Drain(count, missing, first, last);
    }

    /** Changes of any phase whose first arrival was in {@code [from, to]}. */
    long arrivedBetween(long from, long to) {
        long n = 0;
        for (long a : arrived) {
            if (a != 0 && a >= from && a <= to) {
                n++;
            }
        }
        return n;
    }

    /** Changes sent and never arrived. */
    long lost() {
        long n = 0;
        for (int s = 0; s < sent.length; s++) {
            if (sent[s] != 0 && arrived[s] == 0) {
                n++;
            }
        }
        return n;
    }

    /** The changes sent in one phase: how many, how many never arrived, and the others' latency in microseconds. */
    static final class PhaseTally {
        final Histogram latency = new Histogram(Ledger.MAX_MICROS, 3);
        long sent;
        long missing;

        void add(long sentNanos, long arrivedNanos) {
            sent++;
            if (arrivedNanos == 0) {
                missing++;
            } else {
                latency.recordValue(Math.min(Ledger.MAX_MICROS, Math.max(0, (arrivedNanos - sentNanos) / 1_000)));
            }
        }
    }

    /**
     * A set of changes that had to be delivered from some moment on (a backlog).
     *
     * @param count the changes
     * @param missing those of them that never arrived
     * @param firstArrival when the first of the others arrived; 0 if none did
     * @param lastArrival when the last of them arrived; 0 if none did
     */
    record Drain(long count, long missing, long firstArrival, long lastArrival) {

        /** Changes per second from the first arrival to the last; NaN if that is no time at all. */
        double rate() {
            return lastArrival > firstArrival ? (count - missing) / ((lastArrival - firstArrival) / 1e9) : Double.NaN;
        }
    }
}
