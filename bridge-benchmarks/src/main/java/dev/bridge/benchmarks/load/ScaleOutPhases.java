package dev.bridge.benchmarks.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The scale-out mode of {@link FailoverRun}: with no process running the writers commit a
 * backlog as fast as they can; one process starts and delivers it; it stops (SIGTERM); the writers
 * commit a second backlog; then several processes start together and deliver it. A phase's rate
 * is the changes first received per second while its received count goes from 10% to 90% of the
 * backlog, the window starting no sooner than every process leads its share of the partitions (so
 * the start-up and the rebalancing are left out); beside it, the whole backlog from its first
 * arrival to its last, and the CPU used in the window.
 */
final class ScaleOutPhases {

    private static final long POLL_MILLIS = 50;
    /** The span of the best stretch of a phase, whose rate is given beside the window's. */
    static final Duration PEAK = Duration.ofSeconds(10);

    private final FailoverRun.Context run;
    private final FailoverOptions options;

    ScaleOutPhases(FailoverRun.Context run) {
        this.run = run;
        this.options = run.options();
    }

    /** CPU used so far, in nanoseconds: each process, PostgreSQL (-1 if unknown), this JVM; the machine's busy and total ticks. */
    private record Cpu(long at, long[] processes, long postgres, long jvm, long[] machine) {
    }

    /**
     * @param processes how many delivered
     * @param firstNanos from the start of the processes to the first arrival of the backlog
     * @param settledNanos from the start to every process leading its share, -1 if that was not seen before the end
     * @param windowChanges first arrivals in the window
     * @param windowNanos the window's length, 0 if there was none
     * @param wholeNanos from the backlog's first arrival to its last, -1 if it did not all arrive
     * @param peak the most first arrivals of the backlog in {@link #PEAK}, per second
     * @param repeats arrivals of changes that had arrived before, during the phase
     */
    private record Phase(int processes, long firstNanos, long settledNanos, long windowChanges, long windowNanos, long wholeNanos,
            double peak, Cpu before, Cpu after, long repeats) {

        double rate() {
            return windowNanos == 0 ? Double.NaN : windowChanges / (windowNanos / 1e9);
        }
    }

    boolean run() throws InterruptedException {
        List<BridgeProcess> all = new ArrayList<>();
        for (int i = 0; i < options.processes(); i++) {
            all.add(run.process(String.valueOf((char) ('a' + i)), options.partitions()));
        }
        try {
            long writeStart = System.nanoTime();
            run.writers().startWarmup();
            run.writers().awaitWarmedUp();
            run.say("first backlog of %,d changes written in %.1f s with no process running", options.backlog(),
                    (System.nanoTime() - writeStart) / 1e9);
            Phase one = phase(all.subList(0, 1), 0);
            all.get(0).stop(FailoverRun.STOP_PATIENCE);
            writeStart = run.writers().measure();
            run.writers().awaitDone();
            run.say("second backlog of %,d changes written in %.1f s with no process running", options.backlog(),
                    (System.nanoTime() - writeStart) / 1e9);
            Phase many = phase(all, options.backlog());
            for (BridgeProcess p : all) {
                p.stop(FailoverRun.STOP_PATIENCE);
            }
            run.drain();
            print(one, many);
            return run.checks();
        } finally {
            all.forEach(BridgeProcess::close);
        }
    }

    /**
     * Starts the processes and waits until the backlog after the first {@code before} changes has arrived: for its first
     * arrival at most the start timeout, then until none has come for the drain time.
     */
    private Phase phase(List<BridgeProcess> processes, long before) throws InterruptedException {
        int p = processes.size();
        run.requests().newRound(System.nanoTime());
        long start = System.nanoTime();
        processes.forEach(BridgeProcess::start);
        run.say("%d process%s started for a backlog of %,d changes", p, p == 1 ? "" : "es", options.backlog());
        long target = before + options.backlog();
        long low = before + options.backlog() / 10;
        long high = before + options.backlog() * 9L / 10;
        long firstAt = 0;
        long settledAt = 0;
        long windowCount = 0;
        Cpu windowStart = null;
        Cpu windowEnd = null;
        long seen = run.receipts().received();
        long progressAt = System.nanoTime();
        long nextWord = start + 10_000_000_000L;
        while (seen < target && (firstAt == 0 ? System.nanoTime() - start < FailoverRun.START_TIMEOUT.toNanos()
                : System.nanoTime() - progressAt < options.drainIdle().toNanos())) {
            Thread.sleep(POLL_MILLIS);
            long now = System.nanoTime();
            long n = run.receipts().received();
            if (n > seen) {
                progressAt = now;
            }
            seen = n;
            if (firstAt == 0 && n > before) {
                firstAt = now;
            }
            if (settledAt == 0 && shared(processes)) {
                settledAt = now;
                run.say("every process leads its share after %.1f s, %,d of the backlog received", (now - start) / 1e9, n - before);
            }
            if (windowStart == null && settledAt != 0 && n >= low && n < high) {
                windowStart = cpu(processes, now);
                windowCount = n;
            }
            if (windowStart != null && windowEnd == null && n >= high) {
                windowEnd = cpu(processes, now);
                windowCount = n - windowCount;
            }
            if (now >= nextWord) {
                run.say("%,d of the backlog received after %.0f s", n - before, (now - start) / 1e9);
                nextWord += 10_000_000_000L;
            }
        }
        long[] arrivals = arrivals(before > 0);
        long wholeNanos = seen >= target ? arrivals[arrivals.length - 1] - arrivals[0] : -1;
        long repeats = run.requests().newRound(System.nanoTime()).count();
        if (windowEnd == null) {
            windowStart = null;
            windowCount = 0;
        }
        Phase phase = new Phase(p, firstAt == 0 ? -1 : firstAt - start, settledAt == 0 ? -1 : settledAt - start, windowCount,
                windowStart == null ? 0 : windowEnd.at() - windowStart.at(), wholeNanos, peakRate(arrivals), windowStart, windowEnd,
                repeats);
        run.say("%d process%s: %s changes/s in the window, %s in the best %d s", p, p == 1 ? "" : "es", Report.rate(phase.rate()),
                Report.rate(phase.peak()), PEAK.toSeconds());
        return phase;
    }

    /** Whether every process leads at least its share, {@code partitions / processes}, and all partitions are led. */
    private boolean shared(List<BridgeProcess> processes) {
        int share = options.partitions() / processes.size();
        int led = 0;
        for (BridgeProcess p : processes) {
            int n = BridgeProcess.partitionsLed(p.role());
            if (n < share) {
                return false;
            }
            led += n;
        }
        return led == options.partitions();
    }

    /** The first arrivals of a phase's backlog (the workload's warm-up changes, or its measured ones), in order; 0 for none. */
    private long[] arrivals(boolean second) {
        Workload workload = run.workload();
        return java.util.stream.LongStream.range(0, workload.total()).filter(s -> workload.measured(s) == second)
                .map(s -> run.receipts().firstArrival(s)).filter(at -> at != 0).sorted().toArray();
    }

    /** The most first arrivals in any {@link #PEAK} after one of them, per second. */
    static double peakRate(long[] sortedArrivals) {
        int most = 0;
        int from = 0;
        for (int to = 0; to < sortedArrivals.length; to++) {
            while (sortedArrivals[to] - sortedArrivals[from] >= PEAK.toNanos()) {
                from++;
            }
            most = Math.max(most, to - from + 1);
        }
        return most / (PEAK.toNanos() / 1e9);
    }

    private Cpu cpu(List<BridgeProcess> processes, long at) {
        long[] each = processes.stream().mapToLong(BridgeProcess::cpuNanos).toArray();
        long postgres = run.postgresCpu() == null ? -1 : run.postgresCpu().nanos();
        return new Cpu(at, each, postgres, FailoverRun.Context.jvmCpuNanos(), ServerCpu.machineTicks());
    }

    private void print(Phase one, Phase many) {
        var out = run.out();
        double ceiling = options.receiverDelay().isZero() ? Double.NaN : options.maxInFlight() / (options.receiverDelay().toNanos() / 1e9);
        out.println();
        out.println("rate: changes first received per second from 10% to 90% of the phase's backlog, once every process leads its"
                + " share; best 10 s: the most first arrivals of the backlog in any 10 s, per second (the processes' JIT warmed up);"
                + " whole: the backlog over its first to last arrival (start-up and rebalancing included)");
        out.printf(Locale.ROOT, "a process's ceiling by the sink's max-in-flight: %d requests / %d ms = %s changes/s%n",
                options.maxInFlight(), options.receiverDelay().toMillis(), Report.rate(ceiling));
        out.printf("%9s  %8s  %8s  %9s  %8s  %10s  %10s  %10s  %7s  %s%n", "processes", "first s", "shares s", "window", "window s",
                "rate /s", "best 10 s", "whole /s", "repeats", "CPU in the window, in cores: each process | PostgreSQL | this JVM | machine busy");
        for (Phase p : List.of(one, many)) {
            out.printf(Locale.ROOT, "%9d  %8s  %8s  %,9d  %8.1f  %10s  %10s  %10s  %7d  %s%n", p.processes(), seconds(p.firstNanos()),
                    seconds(p.settledNanos()), p.windowChanges(), p.windowNanos() / 1e9, Report.rate(p.rate()), Report.rate(p.peak()),
                    Report.rate(p.wholeNanos() <= 0 ? Double.NaN : options.backlog() / (p.wholeNanos() / 1e9)), p.repeats(), cpuUse(p));
        }
        out.printf(Locale.ROOT, "%d processes over 1, rate in the window: %s%n", many.processes(), ratio(many.rate(), one.rate()));
        out.printf(Locale.ROOT, "%d processes over 1, best 10 s: %s%n", many.processes(), ratio(many.peak(), one.peak()));
    }

    private static String ratio(double many, double one) {
        double ratio = many / one;
        return String.format(Locale.ROOT, "%.2f× (target at least 2.5×: %s)", ratio, Double.isNaN(ratio) ? "not measured"
                : ratio >= 2.5 ? "met" : String.format(Locale.ROOT, "missed by %.2f×", 2.5 - ratio));
    }

    private static String cpuUse(Phase p) {
        if (p.before() == null) {
            return "-";
        }
        double span = p.after().at() - p.before().at();
        List<String> each = new ArrayList<>();
        for (int i = 0; i < p.before().processes().length; i++) {
            long a = p.before().processes()[i];
            long b = p.after().processes()[i];
            each.add(a < 0 || b < 0 ? "?" : String.format(Locale.ROOT, "%.2f", (b - a) / span));
        }
        String postgres = p.before().postgres() < 0 || p.after().postgres() < 0 ? "?"
                : String.format(Locale.ROOT, "%.2f", (p.after().postgres() - p.before().postgres()) / span);
        String machine = "?";
        if (p.before().machine() != null && p.after().machine() != null) {
            long busy = p.after().machine()[0] - p.before().machine()[0];
            long total = p.after().machine()[1] - p.before().machine()[1];
            machine = total == 0 ? "?" : String.format(Locale.ROOT, "%.0f%%", 100.0 * busy / total);
        }
        return String.join(" + ", each) + " | " + postgres + " | "
                + String.format(Locale.ROOT, "%.2f", (p.after().jvm() - p.before().jvm()) / span) + " | " + machine;
    }

    private static String seconds(long nanos) {
        return nanos < 0 ? "-" : String.format(Locale.ROOT, "%.1f", nanos / 1e9);
    }
}
