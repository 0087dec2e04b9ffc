package dev.bridge.benchmarks.load;

import java.util.Map;
import java.util.TreeMap;

/**
 * What the webhook receiver hears from the bridge processes, each on its own path: every change is
 * checked off in the {@link Receipts}; besides, the requests of each sender are counted, the
 * repeats since the current round started are counted with how long before that start their
 * change had first arrived, and the first request of an awaited sender after a given moment is
 * noted. Times are {@link System#nanoTime()}. Thread-safe.
 */
final class Requests implements Arrivals {

    private final Workload workload;
    private final Receipts receipts;
    private final Map<String, Long> bySender = new TreeMap<>();
    private long roundStart;
    private long repeats;
    private long oldestRepeat = Long.MIN_VALUE;
    private String awaited;
    private long awaitedAfter;
    private long awaitedAt;

    Requests(Workload workload, Receipts receipts) {
        this.workload = workload;
        this.receipts = receipts;
    }

    @Override
    public void arrived(long id, long version, long nanos) {
        arrived("", id, version, nanos);
    }

    @Override
    public synchronized void arrived(String sender, long id, long version, long nanos) {
        bySender.merge(sender, 1L, Long::sum);
        if (awaitedAt == 0 && sender.equals(awaited) && nanos - awaitedAfter >= 0) {
            awaitedAt = nanos;
        }
        long slot = workload.slotOf(id, version);
        long first = slot < 0 ? 0 : receipts.firstArrival(slot);
        if (first != 0) {
            repeats++;
            oldestRepeat = Math.max(oldestRepeat, roundStart - first);
        }
        receipts.arrived(id, version, nanos);
    }

    /** From now on, notes the first request of {@code sender} at or after {@code after}. */
    synchronized void await(String sender, long after) {
        awaited = sender;
        awaitedAfter = after;
        awaitedAt = 0;
    }

    /** When the awaited sender's first request after the moment arrived; 0 if none has yet. */
    synchronized long awaitedAt() {
        return awaitedAt;
    }

    /** Starts a round at {@code start} and returns the repeats of the one before. */
    synchronized Repeats newRound(long start) {
        Repeats before = new Repeats(repeats, repeats == 0 ? 0 : oldestRepeat);
        roundStart = start;
        repeats = 0;
        oldestRepeat = Long.MIN_VALUE;
        return before;
    }

    /** Requests per sender so far. */
    synchronized Map<String, Long> bySender() {
        return Map.copyOf(bySender);
    }

    /**
     * @param count arrivals of a change that had arrived before, in one round
     * @param oldestNanos of those, the longest time from a repeated change's first arrival to the round's start (negative if
     *     every repeated change first arrived after it); 0 without repeats
     */
    record Repeats(long count, long oldestNanos) {
    }
}
