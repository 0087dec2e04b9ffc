package dev.bridge.benchmarks.load;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What one sink's receiving end got: the first arrival of each change of a {@link Workload}, and
 * counts of repeats, of arrivals that match no change sent, and of changes that came after a later
 * version of their object (out of order). Send times come from the writers' {@link Ledger}; times
 * are {@link System#nanoTime()}. Thread-safe.
 */
final class Receipts implements Arrivals {

    private final Workload workload;
    private final Ledger sends;
    private final AtomicLongArray firstArrival;
    private final long[] newestVersion;
    private long received;
    private long duplicates;
    private long unexpected;
    private long reordered;

    /** @param ids the workload's object ids, {@code 0 … ids-1} */
    Receipts(Workload workload, Ledger sends, int ids) {
        this.workload = workload;
        this.sends = sends;
        this.firstArrival = new AtomicLongArray((int) workload.total());
        this.newestVersion = new long[ids];
    }

    @Override
    public synchronized void arrived(long id, long version, long nanos) {
        long slot = workload.slotOf(id, version);
        if (slot < 0 || sends.sentAt(slot) == 0) {
            unexpected++;
            return;
        }
        if (firstArrival.get((int) slot) != 0) {
            duplicates++;
            return;
        }
        firstArrival.set((int) slot, nanos);
        received++;
        if (version < newestVersion[(int) id]) {
            reordered++;
        } else {
            newestVersion[(int) id] = version;
        }
    }

    /** When the change in {@code slot} first arrived; 0 if it has not. */
    long firstArrival(long slot) {
        return firstArrival.get((int) slot);
    }

    /** Changes that arrived at least once. */
    synchronized long received() {
        return received;
    }

    /** The counts so far. */
    synchronized Counts counts() {
        return new Counts(received, duplicates, unexpected, reordered);
    }

    /**
     * @param received changes that arrived at least once
     * @param duplicates arrivals after the first of a change
     * @param unexpected arrivals that match no change sent
     * @param reordered first arrivals of a change after a later version of its object had arrived
     */
    record Counts(long received, long duplicates, long unexpected, long reordered) {
    }
}
