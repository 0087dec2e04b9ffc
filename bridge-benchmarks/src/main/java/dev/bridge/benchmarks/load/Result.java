package dev.bridge.benchmarks.load;

import org.HdrHistogram.Histogram;

/**
 * What one configuration measured. For a path that delivers nothing (the ceiling), a skipped or a
 * failed configuration, the delivery figures are absent: NaN rates, -1 counts, no histogram.
 *
 * @param changes measured changes sent
 * @param seconds from the first measured send to the last measured commit
 * @param writerRate measured changes committed per second
 * @param appendTimes microseconds from just before each measured append was sent until it returned (committed)
 * @param deliveredRate measured changes that arrived, per second from the first send to the last first arrival
 * @param lost measured changes that never arrived
 * @param duplicates arrivals after the first of a change
 * @param unexpected arrivals that match no change sent
 * @param latency microseconds from just before the send to the first arrival
 * @param jvmCpuMicrosPerChange CPU time of the whole JVM (writers, subscriber and, for the naive and
 *     Bridge paths, the path's own threads) from the first measured send until the last arrival
 *     or the end of the drain, per measured change
 * @param serverCpuMicrosPerChange the same for the embedded PostgreSQL (all its processes); NaN for a given server
 * @param heapPeakBytes the highest heap in use, sampled
 * @param heapAfterGcBytes the highest heap in use right after a collection
 * @param maxLagNanos in a rate mode, how far behind its schedule a writer fell at worst
 * @param note why figures are missing, or what else went wrong; empty if nothing
 */
record Result(
        Configuration configuration,
        String arrival,
        long changes,
        double seconds,
        double writerRate,
        Histogram appendTimes,
        double deliveredRate,
        long lost,
        long duplicates,
        long unexpected,
        Histogram latency,
        double jvmCpuMicrosPerChange,
        double serverCpuMicrosPerChange,
        long heapPeakBytes,
        long heapAfterGcBytes,
        long maxLagNanos,
        String note) {

    static Result without(Configuration configuration, String arrival, String note) {
        return new Result(configuration, arrival, 0, Double.NaN, Double.NaN, null, Double.NaN, -1, -1, -1, null, Double.NaN, Double.NaN, 0, 0, 0, note);
    }

    boolean delivered() {
        return latency != null;
    }
}
