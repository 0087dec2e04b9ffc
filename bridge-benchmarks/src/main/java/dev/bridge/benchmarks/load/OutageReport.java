package dev.bridge.benchmarks.load;

import dev.bridge.core.engine.EngineStats;
import dev.bridge.core.engine.SinkStats;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * What an {@link OutageRun} measured, and how it is printed: each sink's latency per phase, the
 * Redis sink's p99 during the outage against the baseline, the webhook sink's full throughput and
 * its catch-up after the outage, and the checks of both sinks.
 *
 * @param redis and {@code webhook}: each sink's send and arrival times
 * @param redisCounts and {@code webhookCounts}: each sink's repeats, strangers and changes out of order
 * @param engine the engine's counters at the end
 * @param webhookCounters the webhook sink's own counters at the end
 * @param maxLagNanos how far behind their schedule the writers fell at worst
 * @param unreadable messages the Redis subscriber could not read
 */
record OutageReport(OutageOptions options, Phases phases, Timeline redis, Timeline webhook, Receipts.Counts redisCounts,
        Receipts.Counts webhookCounts, EngineStats engine, Map<String, Long> webhookCounters, long maxLagNanos, long unreadable) {

    OutageReport {
        webhookCounters = new TreeMap<>(webhookCounters);
    }

    /** Prints the figures; returns whether both sinks got every change, in order per key. */
    boolean print(PrintStream out) {
        out.println();
        out.printf(Locale.ROOT, "Outage run: %d writer(s) at %s changes/s, %s values over %d ids; webhook receiver down %d s (%s)%n",
                options.writers(), Report.rate(options.rate()), Sizes.label(options.valueBytes()), LoadOptions.IDS,
                options.outage().toSeconds(), options.outageKind().label());
        StringBuilder lengths = new StringBuilder("phases (s):");
        for (Phases.Phase p : Phases.Phase.values()) {
            lengths.append(String.format(Locale.ROOT, " %s %.1f", p.label, phases.seconds(p)));
        }
        out.println(lengths.append(String.format(Locale.ROOT, "; writers' worst lag behind their schedule %s ms",
                Report.fixed(maxLagNanos / 1e6))));
        out.println();
        printLatencies(out);
        out.println();
        printRedisRatio(out);
        out.println();
        double full = printFullThroughput(out);
        printCatchUp(out, full);
        out.println();
        return printChecks(out);
    }

    private void printLatencies(PrintStream out) {
        out.println("latency from just before the writer sends the change to its arrival, by the phase it was sent in");
        out.printf(Locale.ROOT, "%-8s %-9s %8s %6s %8s %8s %8s%n", "sink", "phase", "sent", "lost", "p50 ms", "p99 ms", "max ms");
        for (Map.Entry<String, Timeline> sink : Map.of("redis", redis, "webhook", webhook).entrySet().stream()
                .sorted(Map.Entry.comparingByKey()).toList()) {
            Map<Phases.Phase, Timeline.PhaseTally> tallies = sink.getValue().byPhase(phases);
            for (Phases.Phase p : Phases.Phase.values()) {
                Timeline.PhaseTally t = tallies.get(p);
                // The pre-fill was written with the engine stopped: its latency says nothing.
                Histogram h = p == Phases.Phase.PREFILL ? null : t.latency;
                out.printf(Locale.ROOT, "%-8s %-9s %8d %6d %8s %8s %8s%n", sink.getKey(), p.label, t.sent, t.missing,
                        Report.millis(h, 50), Report.millis(h, 99), Report.millis(h, 100));
            }
        }
    }

    private void printRedisRatio(PrintStream out) {
        Map<Phases.Phase, Timeline.PhaseTally> tallies = redis.byPhase(phases);
        double baseline = p99Millis(tallies.get(Phases.Phase.BASELINE).latency);
        double outage = p99Millis(tallies.get(Phases.Phase.OUTAGE).latency);
        out.printf(Locale.ROOT, "redis sink p99, outage / baseline: %s / %s ms = %s (issue 17: at most 2)%n", Report.fixed(outage),
                Report.fixed(baseline), ratio(outage, baseline));
    }

    /** Prints the delivery of the backlog written before the engine started; returns its webhook rate. */
    private double printFullThroughput(PrintStream out) {
        Timeline.Drain atWebhook = webhook.drain(phases.warmupStart(), phases.prefillStart());
        Timeline.Drain atRedis = redis.drain(phases.warmupStart(), phases.prefillStart());
        out.printf(Locale.ROOT, "full throughput: the pre-fill, %,d changes written with the engine stopped, then delivered with both"
                + " endpoints up:%n", atWebhook.count());
        out.printf(Locale.ROOT, "  webhook %s changes/s (first to last arrival, %s s); redis %s changes/s%n", Report.rate(atWebhook.rate()),
                span(atWebhook), Report.rate(atRedis.rate()));
        return atWebhook.rate();
    }

    private void printCatchUp(PrintStream out, double full) {
        CatchUp c = CatchUp.of(webhook, phases.returnAt());
        out.printf(Locale.ROOT, "webhook catch-up after the outage (%s):%n", options.outageKind().label());
        out.printf(Locale.ROOT, "  backlog    %,d changes sent before the receiver came back and not delivered by then%s%n",
                c.backlog().count(), c.backlog().missing() == 0 ? "" : String.format(Locale.ROOT, " (%,d never arrived)",
                        c.backlog().missing()));
        out.printf(Locale.ROOT, "  start      %s s from the return to the first backlog change (issue 17: within 2 s)%n",
                seconds(c.startSeconds()));
        out.printf(Locale.ROOT, "  delivered  %s s from the return to the last backlog change%n", seconds(c.deliveredSeconds()));
        out.printf(Locale.ROOT, "  rate       %s changes/s of the backlog (first to last backlog arrival); %s changes/s with the new"
                + " changes that arrived meanwhile%n", Report.rate(c.backlogRate()), Report.rate(c.overallRate()));
        out.printf(Locale.ROOT, "  ratio      %s of the full throughput (issue 17: at least 0.8)%n", ratio(c.backlogRate(), full));
    }

    private boolean printChecks(PrintStream out) {
        long redisLost = redis.lost();
        long webhookLost = webhook.lost();
        out.println("checks (every change written, warm-up and backlog included):");
        printCheck(out, "redis", redisCounts, redisLost);
        printCheck(out, "webhook", webhookCounts, webhookLost);
        if (unreadable > 0) {
            out.printf(Locale.ROOT, "  %d unreadable messages at the Redis subscriber%n", unreadable);
        }
        for (SinkStats s : engine.sinks()) {
            out.printf(Locale.ROOT, "engine, sink %s: delivered %,d, retried %,d, dead-lettered %,d%n", s.sink(), s.delivered(), s.retried(),
                    s.deadLettered());
        }
        out.println("webhook sink counters: " + webhookCounters);
        boolean clean = redisLost == 0 && webhookLost == 0 && redisCounts.reordered() == 0 && webhookCounts.reordered() == 0;
        out.println(clean ? "nothing lost, nothing out of order" : "CHANGES LOST OR OUT OF ORDER");
        return clean;
    }

    private static void printCheck(PrintStream out, String sink, Receipts.Counts c, long lost) {
        out.printf(Locale.ROOT, "  %-8s received %,d, lost %,d, duplicates %,d, unexpected %,d, out of order %,d%n", sink, c.received(),
                lost, c.duplicates(), c.unexpected(), c.reordered());
    }

    private static double p99Millis(Histogram h) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(99) / 1000.0;
    }

    private static String ratio(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) || b == 0 ? "-" : String.format(Locale.ROOT, "%.2f", a / b);
    }

    private static String seconds(double s) {
        return Double.isNaN(s) ? "-" : String.format(Locale.ROOT, "%.3f", s);
    }

    private static String span(Timeline.Drain d) {
        return d.firstArrival() == 0 ? "-" : String.format(Locale.ROOT, "%.1f", (d.lastArrival() - d.firstArrival()) / 1e9);
    }
}
