package dev.bridge.benchmarks.load;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The end-to-end load test (issue 9): K writer threads append to {@code bridge_snaps} through the
 * event store, each on its own connection, and a Redis subscriber checks every change off and
 * times it from just before its statement was sent to its arrival. In one run it measures Bridge
 * in both delivery modes and, beside it, the writers with no capture at all (the ceiling) and the
 * naive NOTIFY trigger with a pgjdbc relay, for every number of writers and value size asked for,
 * and prints a table (also written as CSV) of writer and delivered rates, lost and duplicated
 * changes, latency percentiles and the JVM's heap.
 *
 * <p>By default it starts an embedded PostgreSQL with {@code fsync=on} and
 * {@code synchronous_commit=on} and an embedded Redis; {@code --help} lists the options.
 *
 * <pre>{@code
 * java -cp bridge-benchmarks/target/benchmarks.jar dev.bridge.benchmarks.load.LoadTest --quick
 * }</pre>
 */
public final class LoadTest {

    private LoadTest() {
    }

    /** Exits with 0 when every configuration ran and lost nothing, 1 otherwise, 2 for bad options. */
    public static void main(String[] args) throws Exception {
        LoadOptions options = Tools.options("load test", args, LoadOptions::parse);
        if (options.help()) {
            System.out.print(LoadOptions.USAGE);
            return;
        }
        System.exit(run(options, System.out, System.err) ? 0 : 1);
    }

    static boolean run(LoadOptions options, PrintStream out, PrintStream progress) throws Exception {
        List<Configuration> matrix = options.configurations();
        List<Result> results = new ArrayList<>();
        boolean clean = true;
        try (Postgres postgres = options.postgres().map(Postgres::given).orElseGet(() -> Postgres.embedded(options.pgDataDir()));
                Redis redis = options.redisUri().map(Redis::given).orElseGet(Redis::embedded)) {
            out.println("Bridge load test: " + matrix.size() + " configurations, " + options.changes() + " measured changes each after "
                    + options.warmup() + " of warm-up, over " + LoadOptions.IDS + " ids, arrival " + options.arrival().label());
            out.println(postgres.describe());
            out.println(redis.describe());
            out.println(Tools.jvm());
            out.println();
            ConfigurationRun runner = new ConfigurationRun(postgres, redis.uri(), options);
            for (int i = 0; i < matrix.size(); i++) {
                Configuration c = matrix.get(i);
                progress.printf(Locale.ROOT, "[%d/%d] %s ...%n", i + 1, matrix.size(), c.describe());
                long t0 = System.nanoTime();
                Result r;
                try {
                    r = runner.run(c, i + 1);
                } catch (Exception | AssertionError e) {
                    r = Result.without(c, options.arrival().label(), "failed: " + e.getMessage());
                    e.printStackTrace(progress);
                }
                clean &= !r.note().startsWith("failed") && r.lost() <= 0 && r.duplicates() <= 0 && r.unexpected() <= 0;
                progress.printf(Locale.ROOT, "[%d/%d] done in %.1f s%s%n", i + 1, matrix.size(), (System.nanoTime() - t0) / 1e9,
                        r.note().isEmpty() ? "" : ": " + r.note());
                results.add(r);
            }
        }
        Report report = new Report(results);
        out.println();
        report.print(out, !options.arrival().closed());
        report.writeCsv(options.csv());
        out.println();
        out.println("latency: from just before a writer sends the append to the subscriber's receipt; "
                + "cpu: of the whole JVM (harness included) and of the embedded PostgreSQL, per measured change; "
                + "heap: highest sampled / highest after a GC, whole JVM");
        out.println("CSV: " + options.csv().toAbsolutePath());
        return clean;
    }
}
