package dev.bridge.benchmarks.load;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * The command line of {@link OutageRun}.
 *
 * @param rate changes per second the writers send, all together, from the warm-up on
 * @param writers writer threads, 1 to 4
 * @param valueBytes the size of each stored value
 * @param backlog changes written before the engine starts, whose delivery gives the webhook sink's full throughput
 * @param warmup at the rate, not measured
 * @param baseline both sinks healthy
 * @param outage how long the webhook receiver is down
 * @param outageKind how it is down
 * @param tail how long the writes go on after the webhook backlog is delivered
 * @param maxRecovery how long after the receiver's return the backlog may take before the run gives up waiting
 * @param drainIdle after the writes stop, how long without any arrival before what is missing counts as lost
 * @param pgDataDir where the embedded PostgreSQL keeps its data (the temporary directory if empty)
 * @param help whether to print the usage only
 */
record OutageOptions(double rate, int writers, int valueBytes, int backlog, Duration warmup, Duration baseline, Duration outage,
        WebhookReceiver.Outage outageKind, Duration tail, Duration maxRecovery, Duration drainIdle, Optional<Path> pgDataDir,
        boolean help) {

    static final String USAGE = """
            Usage: java -cp benchmarks.jar dev.bridge.benchmarks.load.OutageRun [options]

            One sink's outage: one delivery engine with a Redis sink (pub/sub) and a webhook sink
            (its shipped retry schedule) to a receiver in this JVM; embedded PostgreSQL and Redis.
            First a backlog is written with the engine stopped, and its delivery gives the webhook
            sink's full throughput; then writers send at a fixed rate through a warm-up, a baseline,
            the receiver's outage and the recovery until its backlog is delivered. Prints each sink's
            latency per phase, the catch-up after the outage, and what was lost, repeated or reordered.

              --rate R            changes/s from all writers together  (500)
              --writers K         writer threads, 1 to 4  (2)
              --size S            bytes of each stored JSON value: 200, 4KB, …  (200)
              --backlog N         changes written before the engine starts  (60000)
              --warmup D          at the rate, not measured  (15s)
              --baseline D        both sinks healthy  (60s)
              --outage D          the webhook receiver down  (120s)
              --outage-kind K     refuse (server stopped), 503 (every request answered 503) or
                                  hang (requests never answered)  (refuse)
              --tail D            writes go on this long after the backlog is delivered  (10s)
              --max-recovery D    give up waiting for the backlog this long after the return  (15m)
              --drain-idle D      after the writes stop, this long without any arrival and what is
                                  missing counts as lost  (30s)
              --pg-data-dir DIR   keep the embedded PostgreSQL's data under DIR  (the temporary directory)
              --help              this text
            Durations: 500ms, 15s, 2m, or a number of seconds.
            """;

    /** @throws IllegalArgumentException for an unknown option, a missing value or a bad value; the message says which */
    static OutageOptions parse(String... args) {
        CommandLine given = CommandLine.parse(args, Set.of("--rate", "--writers", "--size", "--backlog", "--warmup", "--baseline",
                "--outage", "--outage-kind", "--tail", "--max-recovery", "--drain-idle", "--pg-data-dir"), Set.of("--help", "-h"));
        int writers = given.get("--writers", "2", CommandLine::positive);
        if (writers > 4) {
            throw new IllegalArgumentException("--writers: 1 to 4, got " + writers);
        }
        int size = given.get("--size", "200", Sizes::parse);
        if (size < Values.MIN_BYTES) {
            throw new IllegalArgumentException("--size: a value needs at least " + Values.MIN_BYTES + " bytes, got " + size);
        }
        return new OutageOptions(
                given.get("--rate", "500", CommandLine::rate),
                writers,
                size,
                given.get("--backlog", "60000", CommandLine::positive),
                given.get("--warmup", "15s", CommandLine::duration),
                given.longerThanZero("--baseline", "60s"),
                given.longerThanZero("--outage", "120s"),
                given.get("--outage-kind", "refuse", WebhookReceiver.Outage::parse),
                given.get("--tail", "10s", CommandLine::duration),
                given.longerThanZero("--max-recovery", "15m"),
                given.longerThanZero("--drain-idle", "30s"),
                given.get("--pg-data-dir").map(Path::of),
                given.has("--help") || given.has("-h"));
    }

    /**
     * Changes the writers may send in all: the backlog, and the rate over every phase with the
     * longest recovery, plus a minute to spare.
     */
    int slots() {
        double seconds = (warmup.toMillis() + baseline.toMillis() + outage.toMillis() + maxRecovery.toMillis() + tail.toMillis()) / 1e3
                + 60;
        long total = backlog + (long) Math.ceil(rate * seconds);
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("the rate and the phases make " + total + " changes, more than one run can count");
        }
        return (int) total;
    }
}
