package dev.bridge.benchmarks.load;

import dev.bridge.core.Append;
import dev.bridge.core.Json;
import dev.bridge.core.Key;
import dev.bridge.postgres.BridgePostgres;
import dev.bridge.postgres.PostgresOptions;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Runs one configuration in a schema of its own, dropped afterwards: installs Bridge's schema,
 * creates every object at version 1 ({@link Seed}, so that every measured change is an UPDATE that
 * carries an old value of the same size), sets up the path, checks that a probe change reaches the
 * subscriber, runs the warm-up and waits until it has arrived, then the measured changes, then
 * waits for the stragglers.
 */
final class ConfigurationRun {

    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(30);
    private static final long SEED_VERSION = 1;

    private final Postgres.Endpoint postgres;
    private final Optional<ServerCpu> serverCpu;
    private final String redisUri;
    private final LoadOptions options;

    ConfigurationRun(Postgres postgres, String redisUri, LoadOptions options) {
        this.postgres = postgres.endpoint();
        this.serverCpu = postgres.cpu();
        this.redisUri = redisUri;
        this.options = options;
    }

    /** @param number this configuration's number in the run, which names its schema */
    Result run(Configuration c, int number) throws Exception {
        String arrival = options.arrival().label();
        if (c.path() == Configuration.Kind.NAIVE && c.valueBytes() > NaivePath.MAX_VALUE_BYTES) {
            return Result.without(c, arrival, "skipped: a row over 8000 bytes cannot go through NOTIFY");
        }
        String schema = "bridge_load_" + number;
        String channel = "bridge-load:" + schema;
        PostgresOptions pgOptions = PostgresOptions.defaults().withSchema(schema).withChannel(schema);
        if (c.mode() != null) {
            pgOptions = pgOptions.withMode(c.mode());
        }
        postgres.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        try (PerThreadDataSource connections = new PerThreadDataSource(postgres, "bridge-load")) {
            BridgePostgres bridge = BridgePostgres.create(connections, postgres.listenerConnections(), pgOptions);
            bridge.schema().install();
            Values values = new Values(c.valueBytes());
            Seed.objects(postgres, schema, LoadOptions.IDS, SEED_VERSION, values);
            DeliveryPath path = switch (c.path()) {
                case NO_TRIGGER -> new NoTriggerPath(postgres, schema);
                case NAIVE -> new NaivePath(postgres, schema, redisUri, channel);
                case BRIDGE -> new BridgePath(bridge, redisUri, channel);
            };
            return measure(c, bridge, path, channel, values);
        } finally {
            postgres.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    private Result measure(Configuration c, BridgePostgres bridge, DeliveryPath path, String channel, Values values) throws Exception {
        Workload workload = new Workload(LoadOptions.IDS, SEED_VERSION, c.writers(), options.warmup(), options.changes());
        Ledger ledger = new Ledger(workload);
        Writers writers = new Writers(bridge.eventStore(), workload, values, ledger, options.arrival());
        Subscriber subscriber = path.delivers() ? new Subscriber(redisUri, channel) : null;
        try (HeapMeter heap = HeapMeter.start()) {
            path.start();
            if (subscriber != null) {
                long[] probeVersion = {0};
                boolean ready = subscriber.awaitProbe(() -> bridge.eventStore().append(new Append(new Key(Subscriber.PROBE, "p"),
                        probeVersion[0]++, 1, Json.parse("{}"), Json.parse("{}"))), PROBE_TIMEOUT);
                if (!ready) {
                    throw new IllegalStateException("no probe change reached the subscriber within " + PROBE_TIMEOUT.toSeconds() + " s");
                }
                subscriber.checkInto(ledger);
            }
            writers.startWarmup();
            writers.awaitWarmedUp();
            if (subscriber != null) {
                awaitArrivals(ledger::warmupReceived, options.warmup(), options.drainIdle());
            }
            long cpuBefore = jvmCpuNanos();
            long serverCpuBefore = serverCpu.map(ServerCpu::nanos).orElse(-1L);
            long start = writers.measure();
            long end = writers.awaitDone();
            int n = options.changes();
            if (subscriber != null) {
                awaitArrivals(ledger::received, n, options.drainIdle());
            }
            long cpu = jvmCpuNanos() - cpuBefore;
            long serverCpuAfter = serverCpu.map(ServerCpu::nanos).orElse(-1L);
            double serverMicros = serverCpuBefore < 0 || serverCpuAfter < 0 ? Double.NaN : (serverCpuAfter - serverCpuBefore) / 1e3 / n;
            double seconds = (end - start) / 1e9;
            if (subscriber == null) {
                return new Result(c, options.arrival().label(), n, seconds, n / seconds, writers.appendTimes(), Double.NaN, -1, -1, -1,
                        null, cpu / 1e3 / n, serverMicros, heap.peak(), heap.afterGc(), writers.maxLagNanos(), "");
            }
            Ledger.Tally tally = ledger.tally(n);
            double delivered = tally.received() == 0 ? Double.NaN : tally.received() / ((tally.lastArrival() - start) / 1e9);
            String note = path instanceof NaivePath naive ? naive.problems() : "";
            if (subscriber.unreadable() > 0) {
                note = (note.isEmpty() ? "" : note + "; ") + subscriber.unreadable() + " unreadable messages";
            }
            return new Result(c, options.arrival().label(), n, seconds, n / seconds, writers.appendTimes(), delivered, tally.lost(),
                    tally.duplicates(), tally.unexpected(), tally.latency(), cpu / 1e3 / n, serverMicros, heap.peak(), heap.afterGc(),
                    writers.maxLagNanos(), note);
        } finally {
            writers.abort();
            if (subscriber != null) {
                subscriber.close();
            }
            path.close();
        }
    }

    /** CPU time of this whole JVM so far: the writers' and the subscriber's threads as well as the path's. */
    private static long jvmCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Until {@code count} reaches {@code target}, or it has not grown for {@code idle}. */
    static void awaitArrivals(LongSupplier count, long target, Duration idle) throws InterruptedException {
        long seen = count.getAsLong();
        long idleSince = System.nanoTime();
        while (seen < target && System.nanoTime() - idleSince < idle.toNanos()) {
            Thread.sleep(5);
            long now = count.getAsLong();
            if (now > seen) {
                seen = now;
                idleSince = System.nanoTime();
            }
        }
    }
}
