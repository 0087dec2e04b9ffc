package dev.bridge.benchmarks.load;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The command line of {@link FailoverRun}: a mode, then options.
 *
 * @param mode what is measured
 * @param jar the runnable jar each bridge process runs
 * @param childJvm the JVM options of each bridge process
 * @param writers writer threads, 1 to 4
 * @param keys distinct keys the writers change, in turn
 * @param valueBytes the size of each stored value
 * @param receiverDelay how long the webhook receiver takes per request before it answers
 * @param receiverThreads the receiver's handler threads
 * @param maxInFlight the webhook sink's {@code max-in-flight}
 * @param parallelism the webhook sink's {@code delivery.parallelism}
 * @param batchSize the webhook sink's {@code delivery.batch-size}
 * @param leaseTime {@code bridge.postgres.lease-time}
 * @param checkpointInterval {@code bridge.engine.checkpoint-interval}
 * @param kills failover: rounds with kill -9 of the leader
 * @param terms failover: rounds with SIGTERM of the leader, after the kills
 * @param rate failover: changes per second the writers commit, all together
 * @param pause failover: the wait after the stopped process is back as a standby, before the next round
 * @param processes scale-out: processes of the second phase (the first has one)
 * @param partitions scale-out: {@code bridge.partitions}
 * @param backlog scale-out: changes written before each phase, with no process running
 * @param drainIdle at the end, how long without any arrival before what is missing counts as lost
 * @param pgDataDir where the embedded PostgreSQL keeps its data (the temporary directory if empty)
 * @param help whether to print the usage only
 */
record FailoverOptions(Mode mode, Path jar, List<String> childJvm, int writers, int keys, int valueBytes, Duration receiverDelay,
        int receiverThreads, int maxInFlight, int parallelism, int batchSize, Duration leaseTime, Duration checkpointInterval,
        int kills, int terms, double rate, Duration pause, int processes, int partitions, int backlog, Duration drainIdle,
        Optional<Path> pgDataDir, boolean help) {

    /** What a run measures. */
    enum Mode {
        /** Two processes, one partition: the leader is killed or stopped, round after round. */
        FAILOVER,
        /** One process, then several, each time delivering a backlog to a slow receiver. */
        SCALE_OUT;

        static Mode parse(String text) {
            return switch (text.trim().toLowerCase(Locale.ROOT)) {
                case "failover" -> FAILOVER;
                case "scale-out" -> SCALE_OUT;
                default -> throw new IllegalArgumentException("the mode is failover or scale-out, got '" + text + "'");
            };
        }

        String label() {
            return this == FAILOVER ? "failover" : "scale-out";
        }
    }

    static final String USAGE = """
            Usage: java -cp benchmarks.jar dev.bridge.benchmarks.load.FailoverRun failover|scale-out [options]

            Failover and scale-out with real processes: an embedded PostgreSQL, a webhook receiver in
            this JVM, and bridge processes (java -jar bridge.jar run) started as child JVMs, one
            configuration each (its own ops port and webhook path, so the receiver knows who sent
            what), logging to files in a temporary directory. Writers commit changes through the
            event store; every change is checked off: lost, repeated, out of order per key.

            failover: two processes, one partition, writers at a fixed rate. Each round finds the
            leader (readiness role and the lease's holder pid), stops it (kill -9 or SIGTERM), times
            from just before the signal to the old process's exit, to the standby's readiness
            saying leader, and to the first request the standby sends after the signal; then starts
            the stopped one again and waits until it stands by. Prints the distributions and the
            repeats of each round.

            scale-out: a backlog written with no process running is delivered by one process, then
            another backlog by several (same run, same settings); the rate is the changes first
            received per second from 10% to 90% of the backlog, counted only once every process
            leads its share. Prints both rates, the ratio, and the CPU used.

              --jar FILE              the runnable jar  (bridge-app/target/bridge.jar)
              --child-jvm "OPTS"      JVM options of each bridge process  ("-Xmx256m")
              --writers K             writer threads, 1 to 4  (2)
              --keys N                keys the writers change in turn  (failover 100, scale-out 10000)
              --size S                bytes of each stored JSON value: 200, 4KB, …  (200)
              --receiver-delay D      the receiver's time per request  (failover 0ms, scale-out 20ms)
              --receiver-threads T    the receiver's handler threads  (256)
              --max-in-flight M       the webhook sink's max-in-flight  (16, the shipped default)
              --parallelism P         the sink's delivery.parallelism  (4, the shipped default)
              --batch-size B          the sink's delivery.batch-size  (100, the shipped default)
              --lease-time D          bridge.postgres.lease-time  (1s, the shipped default)
              --checkpoint-interval D bridge.engine.checkpoint-interval  (1s, the shipped default)
              --drain-idle D          at the end, this long without any arrival and what is
                                      missing counts as lost  (30s)
              --pg-data-dir DIR       keep the embedded PostgreSQL's data under DIR  (the temporary directory)
              --help                  this text
            failover:
              --kills N               rounds with kill -9 of the leader  (22)
              --terms M               then rounds with SIGTERM of the leader  (10)
              --rate R                changes/s from all writers together  (200)
              --pause D               after the stopped process stands by again  (2s)
            scale-out:
              --processes P           processes of the second phase  (3)
              --partitions N          bridge.partitions  (6)
              --backlog N             changes written before each phase  (60000)
            Durations: 500ms, 15s, 2m, or a number of seconds.
            """;

    /** @throws IllegalArgumentException for a missing mode, an unknown option, a missing value or a bad value; the message says which */
    static FailoverOptions parse(String... args) {
        boolean modeGiven = args.length > 0 && !args[0].startsWith("-");
        CommandLine given = CommandLine.parse(modeGiven ? Arrays.copyOfRange(args, 1, args.length) : args,
                Set.of("--jar", "--child-jvm", "--writers", "--keys", "--size", "--receiver-delay", "--receiver-threads", "--max-in-flight",
                        "--parallelism", "--batch-size", "--lease-time", "--checkpoint-interval", "--drain-idle", "--pg-data-dir",
                        "--kills", "--terms", "--rate", "--pause", "--processes", "--partitions", "--backlog"),
                Set.of("--help", "-h"));
        boolean help = given.has("--help") || given.has("-h");
        if (!modeGiven && !help) {
            throw new IllegalArgumentException("the first argument is the mode, failover or scale-out; see --help");
        }
        Mode mode = modeGiven ? CommandLine.value(args[0], "the mode", Mode::parse) : Mode.FAILOVER;
        boolean failover = mode == Mode.FAILOVER;
        int writers = given.get("--writers", "2", CommandLine::positive);
        if (writers > 4) {
            throw new IllegalArgumentException("--writers: 1 to 4, got " + writers);
        }
        int keys = given.get("--keys", failover ? "100" : "10000", CommandLine::positive);
        if (keys < writers) {
            throw new IllegalArgumentException("--keys: at least one per writer, got " + keys + " for " + writers);
        }
        int size = given.get("--size", "200", Sizes::parse);
        if (size < Values.MIN_BYTES) {
            throw new IllegalArgumentException("--size: a value needs at least " + Values.MIN_BYTES + " bytes, got " + size);
        }
        int kills = given.get("--kills", "22", CommandLine::notNegative);
        int terms = given.get("--terms", "10", CommandLine::notNegative);
        if (failover && kills + terms == 0) {
            throw new IllegalArgumentException("--kills and --terms: at least one round, got none");
        }
        int processes = given.get("--processes", "3", CommandLine::positive);
        if (processes < 2) {
            throw new IllegalArgumentException("--processes: at least 2, to compare with one, got " + processes);
        }
        int partitions = given.get("--partitions", "6", CommandLine::positive);
        if (partitions > 1024) {
            throw new IllegalArgumentException("--partitions: at most 1024, got " + partitions);
        }
        Duration leaseTime = given.get("--lease-time", "1s", CommandLine::duration);
        if (leaseTime.toMillis() < 250) {
            throw new IllegalArgumentException("--lease-time: at least 250ms, got " + leaseTime.toMillis() + "ms");
        }
        return new FailoverOptions(mode,
                Path.of(given.get("--jar", "bridge-app/target/bridge.jar")),
                List.of(given.get("--child-jvm", "-Xmx256m").trim().split("\\s+")),
                writers, keys, size,
                given.get("--receiver-delay", failover ? "0ms" : "20ms", CommandLine::duration),
                given.get("--receiver-threads", "256", CommandLine::positive),
                given.get("--max-in-flight", "16", CommandLine::positive),
                given.get("--parallelism", "4", CommandLine::positive),
                given.get("--batch-size", "100", CommandLine::positive),
                leaseTime,
                given.longerThanZero("--checkpoint-interval", "1s"),
                kills, terms,
                given.get("--rate", "200", CommandLine::rate),
                given.get("--pause", "2s", CommandLine::duration),
                processes, partitions,
                given.get("--backlog", "60000", CommandLine::positive),
                given.longerThanZero("--drain-idle", "30s"),
                given.get("--pg-data-dir").map(Path::of),
                help);
    }

    /** Failover: the rounds' signals in order, true for kill -9. */
    List<Boolean> signals() {
        Boolean[] rounds = new Boolean[kills + terms];
        Arrays.fill(rounds, 0, kills, true);
        Arrays.fill(rounds, kills, kills + terms, false);
        return List.of(rounds);
    }
}
