package dev.bridge.benchmarks.load;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A few measured times, in milliseconds, and their order statistics. A percentile is the
 * nearest-rank one: p of n values is the {@code ceil(p/100 × n)}-th smallest, a value that was
 * measured; so with fewer than 100 values the p99 is the largest.
 */
final class Distribution {

    private final long[] sorted;

    private Distribution(long[] sorted) {
        this.sorted = sorted;
    }

    static Distribution of(List<Long> millis) {
        long[] values = millis.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(values);
        return new Distribution(values);
    }

    int count() {
        return sorted.length;
    }

    /** @param p from above 0 to 100 */
    long percentile(double p) {
        if (!(p > 0 && p <= 100)) {
            throw new IllegalArgumentException("a percentile is above 0 and at most 100, got " + p);
        }
        if (sorted.length == 0) {
            throw new IllegalStateException("no values");
        }
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(1, rank) - 1];
    }

    long min() {
        return percentile(Double.MIN_VALUE);
    }

    long max() {
        return percentile(100);
    }

    /** {@code n 22, min 872, p50 1,032, p90 1,104, p99 1,923, max 1,923 ms}, or {@code n 0}. */
    String describe() {
        if (sorted.length == 0) {
            return "n 0";
        }
        return String.format(Locale.ROOT, "n %d, min %,d, p50 %,d, p90 %,d, p99 %,d, max %,d ms", count(), min(), percentile(50),
                percentile(90), percentile(99), max());
    }
}
