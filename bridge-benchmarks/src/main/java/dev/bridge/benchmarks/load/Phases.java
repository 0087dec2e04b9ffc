package dev.bridge.benchmarks.load;

/**
 * When each phase of an outage run began, as it happened ({@link System#nanoTime()}): the backlog
 * written before the engine starts, then, at the fixed rate, the warm-up, the baseline with both
 * sinks healthy, the webhook receiver's outage, and the recovery from its return to the end of the
 * writes. A change belongs to the phase in which its writer sent it.
 */
record Phases(long prefillStart, long warmupStart, long baselineStart, long outageStart, long returnAt, long end) {

    /** The phases in order. */
    enum Phase {
        PREFILL("pre-fill"), WARMUP("warm-up"), BASELINE("baseline"), OUTAGE("outage"), RECOVERY("recovery");

        final String label;

        Phase(String label) {
            this.label = label;
        }
    }

    Phases {
        if (!(prefillStart <= warmupStart && warmupStart <= baselineStart && baselineStart <= outageStart && outageStart <= returnAt
                && returnAt <= end)) {
            throw new IllegalArgumentException("phases must follow one another, got " + prefillStart + ", " + warmupStart + ", "
                    + baselineStart + ", " + outageStart + ", " + returnAt + ", " + end);
        }
    }

    /** The phase a change sent at {@code sentNanos} belongs to; null if it was sent outside the run. */
    Phase of(long sentNanos) {
        if (sentNanos < prefillStart || sentNanos >= end) {
            return null;
        }
        if (sentNanos < warmupStart) {
            return Phase.PREFILL;
        }
        if (sentNanos < baselineStart) {
            return Phase.WARMUP;
        }
        if (sentNanos < outageStart) {
            return Phase.BASELINE;
        }
        return sentNanos < returnAt ? Phase.OUTAGE : Phase.RECOVERY;
    }

    /** How long {@code phase} lasted, in seconds. */
    double seconds(Phase phase) {
        long[] bounds = {prefillStart, warmupStart, baselineStart, outageStart, returnAt, end};
        return (bounds[phase.ordinal() + 1] - bounds[phase.ordinal()]) / 1e9;
    }
}
