package dev.bridge.benchmarks.load;

/**
 * Which object each writer changes, and to which version. Writer {@code w} of {@code K} owns the
 * ids {@code w, w+K, w+2K, …} below {@code ids}, so no two writers touch one object and each knows
 * every version without asking; it cycles through its ids in order, so its {@code j}-th change
 * (from 0) takes id number {@code j mod m} of its own {@code m} to version
 * {@code start + j div m + 1}, where {@code start} is the version every object has before the
 * first change (0: none exists yet). The first {@code warmup} changes (split over the writers) are
 * not measured.
 *
 * <p>Every change has a slot, {@code 0 ≤ slot < total()}, so a receipt's (id, version) maps back
 * to its send time without a lookup table.
 */
final class Workload {

    private final int ids;
    private final int writers;
    private final long start;
    private final int[] warmup;
    private final int[] changes;
    private final long[] firstSlot;
    private final long total;

    /**
     * @param ids distinct object ids, {@code 0 … ids-1}
     * @param start the version of every object before the first change; 0 if none exists
     * @param writers writer threads
     * @param warmup unmeasured changes in all, before the measured ones
     * @param measured measured changes in all
     */
    Workload(int ids, long start, int writers, int warmup, int measured) {
        if (writers < 1 || ids < writers) {
            throw new IllegalArgumentException("need 1 to " + ids + " writers, got " + writers);
        }
        if (start < 0) {
            throw new IllegalArgumentException("the start version must be >= 0, got " + start);
        }
        if (warmup < 0 || measured < 1) {
            throw new IllegalArgumentException("warm-up must be >= 0 and measured changes >= 1, got " + warmup + " and " + measured);
        }
        this.ids = ids;
        this.start = start;
        this.writers = writers;
        this.warmup = split(warmup, writers);
        this.changes = split(measured, writers);
        this.firstSlot = new long[writers];
        long slot = 0;
        for (int w = 0; w < writers; w++) {
            firstSlot[w] = slot;
            slot += this.warmup[w] + this.changes[w];
        }
        this.total = slot;
    }

    int writers() {
        return writers;
    }

    /** Changes writer {@code w} sends, warm-up included. */
    int changesOf(int w) {
        return warmup[w] + changes[w];
    }

    /** Writer {@code w}'s unmeasured changes, sent first. */
    int warmupOf(int w) {
        return warmup[w];
    }

    long total() {
        return total;
    }

    /** The id of writer {@code w}'s {@code j}-th change. */
    int id(int w, int j) {
        return w + writers * (j % owned(w));
    }

    /** The version writer {@code w}'s {@code j}-th change takes its object to. */
    long version(int w, int j) {
        return start + j / owned(w) + 1;
    }

    long slot(int w, int j) {
        return firstSlot[w] + j;
    }

    /** The slot of the change that took {@code id} to {@code version}, or -1 if no change of this workload did. */
    long slotOf(long id, long version) {
        if (id < 0 || id >= ids || version <= start) {
            return -1;
        }
        int w = (int) (id % writers);
        long j = (version - start - 1) * owned(w) + id / writers;
        return j < changesOf(w) ? firstSlot[w] + j : -1;
    }

    /** Whether the change in {@code slot} is measured (not warm-up). */
    boolean measured(long slot) {
        int w = writerOf(slot);
        return slot - firstSlot[w] >= warmup[w];
    }

    private int writerOf(long slot) {
        int w = writers - 1;
        while (firstSlot[w] > slot) {
            w--;
        }
        return w;
    }

    private int owned(int w) {
        return (ids - w + writers - 1) / writers;
    }

    private static int[] split(int count, int parts) {
        int[] shares = new int[parts];
        for (int p = 0; p < parts; p++) {
            shares[p] = count / parts + (p < count % parts ? 1 : 0);
        }
        return shares;
    }
}
