package dev.bridge.benchmarks.load;

import dev.bridge.core.engine.DeliveryEngine;
import dev.bridge.core.engine.DeliveryPolicy;
import dev.bridge.core.engine.SinkFilter;
import dev.bridge.core.port.ChangeSink;
import dev.bridge.postgres.BridgePostgres;
import dev.bridge.sink.redis.RedisSinkOptions;
import dev.bridge.sink.redis.RedisSinkProvider;
import dev.bridge.sink.webhook.WebhookSinkOptions;
import dev.bridge.sink.webhook.WebhookSinkProvider;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;

/**
 * One sink's outage (issue 17): one delivery engine in this JVM with two sinks, a Redis sink in
 * pub/sub mode and a webhook sink fed by {@link WebhookSinkProvider#deliveryPolicy()} whose endpoint
 * is a {@link WebhookReceiver} here too, over an embedded PostgreSQL and an embedded Redis as the
 * load test starts them. It writes a backlog with the engine stopped and times its delivery (the
 * webhook sink's full throughput); then the writers send at a fixed rate through a warm-up, a
 * baseline, the receiver's outage and the recovery until the receiver has the whole backlog, and a
 * tail. It prints each sink's latency per phase, how the webhook sink caught up, and what was lost,
 * repeated or reordered; see {@link OutageOptions#USAGE}.
 *
 * <pre>{@code
 * java -Xmx256m -cp bridge-benchmarks/target/benchmarks.jar dev.bridge.benchmarks.load.OutageRun --baseline 10s --outage 20s
 * }</pre>
 */
public final class OutageRun {

    private static final String SCHEMA = "bridge_outage";
    private static final String CHANNEL = "bridge-outage:" + SCHEMA;
    private static final long SEED_VERSION = 1;
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);

    private final OutageOptions options;
    private final Postgres.Endpoint postgres;
    private final String redisUri;
    private final PrintStream progress;

    private OutageRun(OutageOptions options, Postgres.Endpoint postgres, String redisUri, PrintStream progress) {
        this.options = options;
        this.postgres = postgres;
        this.redisUri = redisUri;
        this.progress = progress;
    }

    /** Exits with 0 when nothing was lost or reordered at either sink, 1 otherwise, 2 for bad options. */
    public static void main(String[] args) throws Exception {
        OutageOptions options = Tools.options("outage run", args, OutageOptions::parse);
        if (options.help()) {
            System.out.print(OutageOptions.USAGE);
            return;
        }
        boolean clean;
        try (Postgres postgres = Postgres.embedded(options.pgDataDir()); Redis redis = Redis.embedded()) {
            System.out.println(postgres.describe());
            System.out.println(redis.describe());
            System.out.println(Tools.jvm());
            clean = new OutageRun(options, postgres.endpoint(), redis.uri(), System.err).run().print(System.out);
        }
        System.exit(clean ? 0 : 1);
    }

    private OutageReport run() throws Exception {
        postgres.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        try (PerThreadDataSource connections = new PerThreadDataSource(postgres, "bridge-outage")) {
            Values values = new Values(options.valueBytes());
            BridgePostgres bridge = Seed.installed(postgres, connections, SCHEMA, LoadOptions.IDS, SEED_VERSION, values);
            int slots = options.slots();
            Workload workload = new Workload(LoadOptions.IDS, SEED_VERSION, options.writers(), options.backlog(), slots - options.backlog());
            Ledger sends = new Ledger(workload);
            Receipts atRedis = new Receipts(workload, sends, LoadOptions.IDS);
            Receipts atWebhook = new Receipts(workload, sends, LoadOptions.IDS);
            Writers writers = new Writers(bridge.eventStore(), workload, values, sends, new Arrival(Arrival.Kind.UNIFORM, options.rate()));
            try (Subscriber subscriber = new Subscriber(redisUri, CHANNEL); WebhookReceiver receiver = WebhookReceiver.start(atWebhook)) {
                subscriber.checkInto(atRedis);
                ChangeSink webhook = WebhookSinkProvider.sink("webhook", WebhookSinkOptions.to(receiver.url()).signedWith(freshSecret()));
                DeliveryEngine engine = DeliveryEngine.builder("outage-run").source(bridge)
                        .sink(RedisSinkProvider.sink("redis", RedisSinkOptions.pubsub(redisUri).withTarget(CHANNEL)), SinkFilter.all(),
                                DeliveryPolicy.defaults())
                        .sink(webhook, SinkFilter.all(), WebhookSinkProvider.deliveryPolicy())
                        .build();
                try {
                    Phases phases = runPhases(writers, engine, receiver, sends, atRedis, atWebhook, slots);
                    long sent = sends.sentCount();
                    ConfigurationRun.awaitArrivals(() -> Math.min(atRedis.received(), atWebhook.received()), sent, options.drainIdle());
                    return new OutageReport(options, phases, Timeline.of(sends, atRedis, slots), Timeline.of(sends, atWebhook, slots),
                            atRedis.counts(), atWebhook.counts(), engine.stats(), webhook.counters(), writers.maxLagNanos(),
                            subscriber.unreadable());
                } finally {
                    writers.abort();
                    engine.stop(Duration.ofSeconds(5));
                }
            }
        } finally {
            postgres.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        }
    }

    private Phases runPhases(Writers writers, DeliveryEngine engine, WebhookReceiver receiver, Ledger sends, Receipts atRedis,
            Receipts atWebhook, int slots) throws InterruptedException {
        long prefillStart = System.nanoTime();
        writers.startWarmup();
        writers.awaitWarmedUp();
        long engineStart = System.nanoTime();
        say("backlog of %,d changes written in %.1f s with the engine stopped; starting the engine", options.backlog(),
                seconds(engineStart - prefillStart));
        engine.start();
        ConfigurationRun.awaitArrivals(() -> Math.min(atRedis.received(), atWebhook.received()), options.backlog(),
                options.drainIdle());
        say("backlog delivered: redis %,d, webhook %,d, %.1f s after the start; writing at %s/s", atRedis.received(),
                atWebhook.received(), seconds(System.nanoTime() - engineStart), Report.rate(options.rate()));
        long warmupStart = writers.measure();
        long baselineStart = warmupStart + options.warmup().toNanos();
        sleepUntil(baselineStart);
        say("baseline for %d s", options.baseline().toSeconds());
        sleepUntil(baselineStart + options.baseline().toNanos());
        long outageStart = System.nanoTime();
        receiver.goDown(options.outageKind());
        say("webhook receiver down (%s) for %d s", options.outageKind().label(), options.outage().toSeconds());
        sleepUntil(outageStart + options.outage().toNanos());
        long returnAt = receiver.comeBack();
        PendingSlots backlog = PendingSlots.at(sends, atWebhook, slots, returnAt);
        say("webhook receiver back; backlog %,d changes", backlog.remaining());
        long giveUp = returnAt + options.maxRecovery().toNanos();
        long nextWord = returnAt + PROGRESS_EVERY.toNanos();
        while (backlog.remaining() > 0 && System.nanoTime() < giveUp) {
            Thread.sleep(50);
            if (System.nanoTime() >= nextWord) {
                say("recovery: %,d backlog changes still to arrive after %.0f s", backlog.remaining(), seconds(System.nanoTime() - returnAt));
                nextWord += PROGRESS_EVERY.toNanos();
            }
        }
        say("recovery: %,d backlog changes still to arrive after %.1f s; writes go on for %d s", backlog.remaining(),
                seconds(System.nanoTime() - returnAt), options.tail().toSeconds());
        sleepUntil(System.nanoTime() + options.tail().toNanos());
        writers.stop();
        long end = System.nanoTime();
        return new Phases(prefillStart, warmupStart, baselineStart, outageStart, returnAt, end);
    }

    private static void sleepUntil(long nanos) throws InterruptedException {
        long left;
        while ((left = nanos - System.nanoTime()) > 0) {
            Thread.sleep(Math.max(1, Math.min(left / 1_000_000, 1_000)));
        }
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    /** A signing secret of this run only: the receiver does not check signatures, but the sink signs as it would in use. */
    private static String freshSecret() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return "whsec_" + Base64.getEncoder().encodeToString(key);
    }

    private void say(String format, Object... args) {
        progress.printf(Locale.ROOT, "[outage] " + format + "%n", args);
    }

    /** The slots of the changes sent before a moment that had not arrived by then, as they arrive. */
    private static final class PendingSlots {
        private final Receipts receipts;
        private final int[] slots;
        private int count;

        private PendingSlots(Receipts receipts, int[] slots, int count) {
            this.receipts = receipts;
            this.slots = slots;
            this.count = count;
        }

        static PendingSlots at(Ledger sends, Receipts receipts, int slots, long moment) {
            int[] pending = new int[slots];
            int n = 0;
            for (int s = 0; s < slots; s++) {
                long sent = sends.sentAt(s);
                long arrived = receipts.firstArrival(s);
                if (sent != 0 && sent < moment && (arrived == 0 || arrived >= moment)) {
                    pending[n++] = s;
                }
            }
            return new PendingSlots(receipts, pending, n);
        }

        /** How many have not arrived yet. */
        int remaining() {
            int kept = 0;
            for (int i = 0; i < count; i++) {
                if (receipts.firstArrival(slots[i]) == 0) {
                    slots[kept++] = slots[i];
                }
            }
            count = kept;
            return count;
        }
    }
}
