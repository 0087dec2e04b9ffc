package dev.bridge.benchmarks.load;

import dev.bridge.postgres.BridgePostgres;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Failover and scale-out with real processes (issue 18): an embedded PostgreSQL, a
 * {@link WebhookReceiver} in this JVM, and bridge processes started from the runnable jar as
 * child JVMs ({@link BridgeProcess}), which this tool knows only through their configuration,
 * their environment, their HTTP endpoints and the database. Writers commit changes through the
 * event store; every change is checked off at the receiver: lost, repeated, out of order per key.
 * {@link FailoverRounds} kills or stops the leader of two processes round after round;
 * {@link ScaleOutPhases} times one process and then several delivering a backlog to a slow
 * receiver. See {@link FailoverOptions#USAGE}.
 *
 * <pre>{@code
 * java -Xmx256m -cp bridge-benchmarks/target/benchmarks.jar dev.bridge.benchmarks.load.FailoverRun failover --kills 22 --terms 10
 * java -Xmx256m -cp bridge-benchmarks/target/benchmarks.jar dev.bridge.benchmarks.load.FailoverRun scale-out
 * }</pre>
 */
public final class FailoverRun {

    static final String SCHEMA = "bridge_failover";
    static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    static final Duration STOP_PATIENCE = Duration.ofSeconds(60);
    private static final String CONSUMER = "failover";
    private static final long SEED_VERSION = 1;

    private final FailoverOptions options;
    private final Postgres postgres;
    private final Path dir;
    private final PrintStream out;
    private final PrintStream progress;

    private FailoverRun(FailoverOptions options, Postgres postgres, Path dir, PrintStream out, PrintStream progress) {
        this.options = options;
        this.postgres = postgres;
        this.dir = dir;
        this.out = out;
        this.progress = progress;
    }

    /** Exits with 0 when nothing was lost or reordered, 1 otherwise (or when the run failed), 2 for bad options. */
    public static void main(String[] args) throws Exception {
        FailoverOptions options = Tools.options("failover run", args, FailoverOptions::parse);
        if (options.help()) {
            System.out.print(FailoverOptions.USAGE);
            return;
        }
        if (!Files.isRegularFile(options.jar())) {
            System.err.println("failover run: no runnable jar at " + options.jar().toAbsolutePath()
                    + "; build it with ./mvnw -B -q package -DskipTests, or give --jar");
            System.exit(2);
        }
        Path dir = Files.createTempDirectory("bridge-failover-");
        boolean clean;
        try (Postgres postgres = Postgres.embedded(options.pgDataDir())) {
            System.out.println(postgres.describe());
            System.out.println(Tools.jvm());
            System.out.println("bridge processes: " + options.jar().toAbsolutePath() + ", JVM options " + String.join(" ", options.childJvm())
                    + "; their configuration and logs in " + dir);
            clean = new FailoverRun(options, postgres, dir, System.out, System.err).run();
        }
        System.exit(clean ? 0 : 1);
    }

    private boolean run() throws Exception {
        Postgres.Endpoint db = postgres.endpoint();
        db.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        try (PerThreadDataSource connections = new PerThreadDataSource(db, "bridge-failover")) {
            Values values = new Values(options.valueBytes());
            BridgePostgres bridge = Seed.installed(db, connections, SCHEMA, options.keys(), SEED_VERSION, values);
            boolean failover = options.mode() == FailoverOptions.Mode.FAILOVER;
            Workload workload = failover
                    ? new Workload(options.keys(), SEED_VERSION, options.writers(), 0, failoverSlots())
                    : new Workload(options.keys(), SEED_VERSION, options.writers(), options.backlog(), options.backlog());
            Ledger sends = new Ledger(workload);
            Receipts receipts = new Receipts(workload, sends, options.keys());
            Requests requests = new Requests(workload, receipts);
            Writers writers = new Writers(bridge.eventStore(), workload, values, sends,
                    failover ? new Arrival(Arrival.Kind.UNIFORM, options.rate()) : Arrival.CLOSED);
            try (WebhookReceiver receiver = WebhookReceiver.start(requests, options.receiverDelay(), options.receiverThreads())) {
                out.println(settings());
                Context run = new Context(options, db, postgres.cpu().orElse(null), launch(db), receiver, workload, writers, sends, receipts,
                        requests, out, progress);
                try {
                    return failover ? new FailoverRounds(run).run() : new ScaleOutPhases(run).run();
                } finally {
                    writers.abort();
                }
            }
        } finally {
            db.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        }
    }

    /** Changes the writers may send: the rate for a minute and a half per round, and two minutes more. */
    private int failoverSlots() {
        double seconds = 90.0 * (options.kills() + options.terms()) + 120;
        long total = (long) Math.ceil(options.rate() * seconds);
        if (total > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException("--rate and the rounds make " + total + " changes, more than one run can count");
        }
        return (int) total;
    }

    private BridgeProcess.Launch launch(Postgres.Endpoint db) {
        int port = URI.create(db.jdbcUrl().substring("jdbc:".length())).getPort();
        Map<String, String> env = Map.of("DB_HOST", "127.0.0.1", "DB_PORT", Integer.toString(port), "DB_DATABASE", "postgres",
                "DB_USER", db.user(), "DB_PASSWORD", db.password() == null ? "unused" : db.password());
        return new BridgeProcess.Launch(Path.of(System.getProperty("java.home"), "bin", "java"), options.jar().toAbsolutePath(),
                options.childJvm(), env, dir);
    }

    private String settings() {
        boolean failover = options.mode() == FailoverOptions.Mode.FAILOVER;
        return String.format(Locale.ROOT, "%s: consumer %s, schema %s, bridge.partitions = %d, bridge.postgres.lease-time = %d ms,"
                        + " bridge.engine.checkpoint-interval = %d ms; webhook sink: one change per request, max-in-flight = %d,"
                        + " delivery.parallelism = %d, delivery.batch-size = %d; receiver: %d ms per request on %d threads; %d writers"
                        + " over %,d keys, values of %,d bytes, %s",
                options.mode().label(), CONSUMER, SCHEMA, failover ? 1 : options.partitions(), options.leaseTime().toMillis(),
                options.checkpointInterval().toMillis(), options.maxInFlight(), options.parallelism(), options.batchSize(),
                options.receiverDelay().toMillis(), options.receiverThreads(), options.writers(), options.keys(), options.valueBytes(),
                failover ? String.format(Locale.ROOT, "%s changes/s in all", Report.rate(options.rate()))
                        : String.format(Locale.ROOT, "as fast as they can, %,d changes before each phase", options.backlog()));
    }

    /**
     * What the two modes share: the options, the database, the receiver and its bookkeeping, the
     * writers, and the configuration and start of the bridge processes.
     */
    record Context(FailoverOptions options, Postgres.Endpoint db, ServerCpu postgresCpu, BridgeProcess.Launch launch,
            WebhookReceiver receiver, Workload workload, Writers writers, Ledger sends, Receipts receipts, Requests requests, PrintStream out,
            PrintStream progress) {

        /** A process named {@code name} (a, b, …) with its own configuration: the run's settings, its own webhook path. */
        BridgeProcess process(String name, int partitions) {
            String configuration = """
                    bridge {
                      consumer = %s
                      partitions = %d
                      postgres { schema = %s, channel = %s, lease-time = %dms }
                      engine.checkpoint-interval = %dms
                      sinks = [ {
                        type = webhook, name = hooks, url = "%s", max-in-flight = %d
                        delivery { parallelism = %d, batch-size = %d }
                      } ]
                    }
                    """.formatted(CONSUMER, partitions, SCHEMA, SCHEMA, options.leaseTime().toMillis(),
                    options.checkpointInterval().toMillis(), receiver.url(name), options.maxInFlight(), options.parallelism(),
                    options.batchSize());
            return new BridgeProcess(name, launch, configuration);
        }

        /** The pid in the holder of the lease of {@code partition} ({@code host/pid/tag}), or -1 if none holds it unreleased. */
        long leaseHolderPid(int partition) {
            try (var c = db.open("bridge-failover-admin");
                    var s = c.prepareStatement("SELECT holder FROM " + SCHEMA + ".bridge_leases WHERE consumer = ? AND part = ?"
                            + " AND NOT released")) {
                s.setString(1, CONSUMER);
                s.setInt(2, partition);
                try (var rs = s.executeQuery()) {
                    if (!rs.next()) {
                        return -1;
                    }
                    String[] holder = rs.getString(1).split("/");
                    return holder.length > 1 ? Long.parseLong(holder[1]) : -1;
                }
            } catch (java.sql.SQLException | NumberFormatException e) {
                return -1;
            }
        }

        /** Stops the writers and waits for what they sent to arrive, until none has for the drain time. */
        void drain() throws InterruptedException {
            writers.stop();
            long sent = sends.sentCount();
            say("writers stopped after %,d changes; waiting for the rest", sent);
            ConfigurationRun.awaitArrivals(receipts::received, sent, options.drainIdle());
        }

        /** Prints what was lost, repeated or reordered, and the requests of each process; returns whether nothing was lost or reordered. */
        boolean checks() {
            long sent = sends.sentCount();
            Receipts.Counts c = receipts.counts();
            long lost = sent - c.received();
            out.printf(Locale.ROOT, "changes committed %,d, received %,d, lost %,d, repeats %,d, out of order %,d, unexpected %,d%n", sent,
                    c.received(), lost, c.duplicates(), c.reordered(), c.unexpected());
            List<String> senders = new ArrayList<>();
            requests.bySender().forEach((name, n) -> senders.add(String.format(Locale.ROOT, "%s %,d", name, n)));
            out.println("requests by process: " + String.join(", ", senders));
            return lost == 0 && c.reordered() == 0;
        }

        void say(String format, Object... args) {
            progress.printf(Locale.ROOT, "[" + options.mode().label() + "] " + format + "%n", args);
        }

        static long jvmCpuNanos() {
            return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
        }

        static long millis(long nanos) {
            return Math.round(nanos / 1e6);
        }
    }
}
