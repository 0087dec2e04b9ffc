package dev.bridge.benchmarks.load;

import dev.bridge.postgres.DeliveryMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The load test's command line. Without options it runs the full matrix; {@code --quick} swaps in a
 * smaller workload for a smoke run, and any option given explicitly wins over both.
 */
record LoadOptions(
        List<Configuration.Kind> paths,
        List<DeliveryMode> modes,
        List<Integer> writers,
        List<Integer> sizes,
        Arrival arrival,
        int changes,
        int warmup,
        Duration drainIdle,
        Path csv,
        Optional<Postgres.Endpoint> postgres,
        Optional<Path> pgDataDir,
        Optional<String> redisUri,
        boolean help) {

    /** Distinct object ids the writers spread their changes over. */
    static final int IDS = 10_000;

    static final String USAGE = """
            Usage: java -cp benchmarks.jar dev.bridge.benchmarks.load.LoadTest [options]

            End-to-end load test: writers append to bridge_snaps through the event store, a Redis
            subscriber checks every change off and times it. Paths: no-trigger (writers only, the
            ceiling), naive (plain NOTIFY trigger + pgjdbc relay), bridge (trigger, listener, engine,
            Redis sink). Every configuration gets a fresh schema.

              --paths LIST        paths to run, of no-trigger,naive,bridge     (all three)
              --modes LIST        Bridge's delivery modes, of at-least-once,at-most-once   (both)
              --writers LIST      writer threads K, each with its own connection  (1,4)
              --sizes LIST        bytes of each stored JSON value S: 200, 4KB, 64KiB, …  (200,4KB,64KB)
              --arrival A         closed (as fast as possible), rate:R (uniform) or poisson:R,
                                  R = changes/s offered by all writers together  (closed)
              --changes N         measured changes per configuration  (20000; --quick: 400)
              --warmup W          unmeasured changes before them, to warm up the JIT, the
                                  caches and the path  (5000; --quick: 200)
              --drain-idle SEC    after the writers finish, how long without any arrival before
                                  the changes still missing count as lost  (10; --quick: 3)
              --csv FILE          where to write the results as CSV  (load-test.csv)
              --jdbc-url URL      use this PostgreSQL instead of an embedded one (as configured:
                                  check fsync and synchronous_commit in the output); also
              --user U, --password P
              --pg-data-dir DIR   embedded PostgreSQL: keep its data under DIR (must be a real
                                  disk for fsync to cost anything)  (the temporary directory)
              --redis-uri URI     use this Redis instead of an embedded one
              --quick             a smoke run of about a minute: fewer changes, same matrix
              --help              this text
            """;

    /** @throws IllegalArgumentException for an unknown option, a missing value or a bad value; the message says which */
    static LoadOptions parse(String... args) {
        CommandLine given = CommandLine.parse(args, Set.of("--paths", "--modes", "--writers", "--sizes", "--arrival", "--changes",
                "--warmup", "--drain-idle", "--csv", "--jdbc-url", "--user", "--password", "--pg-data-dir", "--redis-uri"),
                Set.of("--quick", "--help", "-h"));
        boolean quick = given.has("--quick");
        if ((given.has("--user") || given.has("--password")) && !given.has("--jdbc-url")) {
            throw new IllegalArgumentException("--user and --password go with --jdbc-url");
        }
        Optional<Postgres.Endpoint> postgres = given.get("--jdbc-url")
                .map(url -> new Postgres.Endpoint(url, given.get("--user").orElse(null), given.get("--password").orElse(null)));
        return new LoadOptions(
                CommandLine.list(given.get("--paths", "no-trigger,naive,bridge"), "--paths", Configuration.Kind::parse),
                CommandLine.list(given.get("--modes", "at-least-once,at-most-once"), "--modes", DeliveryMode::parse),
                CommandLine.list(given.get("--writers", "1,4"), "--writers", CommandLine::positive),
                CommandLine.list(given.get("--sizes", "200,4KB,64KB"), "--sizes", Sizes::parse),
                given.get("--arrival", "closed", Arrival::parse),
                given.get("--changes", quick ? "400" : "20000", CommandLine::positive),
                given.get("--warmup", quick ? "200" : "5000", CommandLine::notNegative),
                Duration.ofSeconds(given.get("--drain-idle", quick ? "3" : "10", CommandLine::positive)),
                Path.of(given.get("--csv", "load-test.csv")),
                postgres,
                given.get("--pg-data-dir").map(Path::of),
                given.get("--redis-uri"),
                given.has("--help") || given.has("-h")).validated();
    }

    private LoadOptions validated() {
        for (int s : sizes) {
            if (s < Values.MIN_BYTES) {
                throw new IllegalArgumentException("--sizes: a value needs at least " + Values.MIN_BYTES + " bytes, got " + s);
            }
        }
        for (int k : writers) {
            if (k > IDS) {
                throw new IllegalArgumentException("--writers: at most " + IDS + " (one id each at least), got " + k);
            }
        }
        if (postgres.isPresent() && pgDataDir.isPresent()) {
            throw new IllegalArgumentException("--pg-data-dir is for the embedded PostgreSQL; it cannot go with --jdbc-url");
        }
        return this;
    }

    /** The matrix, grouped by size, then writers, so that each group's reference rows come first. */
    List<Configuration> configurations() {
        List<Configuration> all = new ArrayList<>();
        for (int s : sizes) {
            for (int k : writers) {
                for (Configuration.Kind path : Configuration.Kind.values()) {
                    if (!paths.contains(path)) {
                        continue;
                    }
                    if (path == Configuration.Kind.BRIDGE) {
                        modes.forEach(m -> all.add(new Configuration(path, m, k, s)));
                    } else {
                        all.add(new Configuration(path, null, k, s));
                    }
                }
            }
        }
        return all;
    }
}
