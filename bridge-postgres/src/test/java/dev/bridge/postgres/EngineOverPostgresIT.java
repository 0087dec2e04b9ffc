package dev.bridge.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bridge.core.Append;
import dev.bridge.core.Change;
import dev.bridge.core.Checkpoint;
import dev.bridge.core.DeadLetter;
import dev.bridge.core.Json;
import dev.bridge.core.Key;
import dev.bridge.core.Op;
import dev.bridge.core.engine.DeliveryEngine;
import dev.bridge.core.engine.DeliveryObserver;
import dev.bridge.core.engine.DeliveryPolicy;
import dev.bridge.core.engine.EngineOptions;
import dev.bridge.core.engine.RetryPolicy;
import dev.bridge.core.engine.SinkBinding;
import dev.bridge.core.engine.SinkFilter;
import dev.bridge.core.port.Ack;
import dev.bridge.core.port.Acknowledger;
import dev.bridge.core.port.ChangeSink;
import dev.bridge.core.port.CheckpointStore;
import dev.bridge.core.port.DeadLetterStore;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The delivery engine fed by the real listener: every change reaches each matching sink, in order per key. */
class EngineOverPostgresIT {

    @Test
    void deliversCapturedChangesToEveryMatchingSink() throws InterruptedException {
        PostgresOptions options = TestPostgres.freshOptions();
        BridgePostgres bridge = TestPostgres.bridge(options);
        bridge.schema().install();
        Collecting all = new Collecting("all");
        Collecting accounts = new Collecting("accounts");
        DeliveryPolicy policy = new DeliveryPolicy(4, 100, Duration.ofMillis(5), 10_000, 64L << 20, Duration.ofSeconds(30),
                RetryPolicy.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 5, Duration.ofMinutes(1)));
        DeliveryEngine engine = new DeliveryEngine("it", bridge.changeSource(), List.of(
                new SinkBinding(all, SinkFilter.all(), policy),
                new SinkBinding(accounts, new SinkFilter(List.of("acc*"), List.of(), EnumSet.allOf(Op.class)), policy)),
                new NoCheckpoints(), new NoDeadLetters(), new EngineOptions(Duration.ofMillis(100), Duration.ofSeconds(5)),
                DeliveryObserver.NONE);
        engine.start();
        try {
            // At most once: only what is committed after the listener's LISTEN arrives, so probe until it does.
            for (long probe = 0; all.received.isEmpty(); probe++) {
                bridge.eventStore().append(new Append(new Key("probe", "p"), probe, 1, Json.parse("{}"), Json.parse("{}")));
                Thread.sleep(50);
            }
            for (int v = 0; v < 20; v++) {
                for (int k = 0; k < 50; k++) {
                    String bucket = k % 2 == 0 ? "accounts" : "orders";
                    bridge.eventStore().append(new Append(new Key(bucket, "k" + k), v, 1, Json.parse("{}"), Json.parse("{\"v\":" + (v + 1) + "}")));
                }
            }
            RecordingHandler.awaitTrue(() -> all.workload().size() == 1_000 && accounts.workload().size() == 500, Duration.ofSeconds(60),
                    () -> "all=" + all.workload().size() + " accounts=" + accounts.workload().size());
        } finally {
            engine.stop();
        }
        for (Collecting sink : List.of(all, accounts)) {
            Map<String, Long> last = new HashMap<>();
            for (Change c : sink.workload()) {
                assertThat(c.version()).as("order of %s/%s at sink %s", c.bucket(), c.id(), sink.name).isEqualTo(last.getOrDefault(c.bucket() + c.id(), 0L) + 1);
                last.put(c.bucket() + c.id(), c.version());
            }
        }
        assertThat(accounts.received).allSatisfy(c -> assertThat(c.bucket()).isEqualTo("accounts"));
    }

    @Test
    void aKillWhileCatchingUpRepeatsAboutACheckpointIntervalNotTheWholeBacklog() throws Exception {
        PostgresOptions options = TestPostgres.freshOptions();
        BridgePostgres bridge = TestPostgres.bridge(options);
        String table = captured(bridge, "backlog_" + options.schema(), "id integer PRIMARY KEY");
        int backlog = 20_000;
        bridge.consumers().register("catch-up", "slow");
        TestPostgres.execute(TestPostgres.dataSource(), "INSERT INTO " + table + " SELECT generate_series(1, " + backlog + ")");

        Slow sink = new Slow();
        KillableCheckpoints checkpoints = new KillableCheckpoints(bridge.checkpointStore());
        DeliveryEngine first = engine(bridge, sink, checkpoints);
        first.start();
        RecordingHandler.awaitTrue(() -> sink.received.size() >= 8_000, Duration.ofSeconds(60), () -> "delivered " + sink.received.size());
        // kill -9: nothing is saved from this moment on; then the process is gone.
        checkpoints.killed = true;
        first.stop(Duration.ZERO);
        int beforeKill = sink.received.size();

        DeliveryEngine second = engine(bridge, sink, bridge.checkpointStore());
        second.start();
        try {
            RecordingHandler.awaitTrue(() -> sink.received.stream().map(Change::id).distinct().count() == backlog, Duration.ofSeconds(120),
                    () -> "distinct " + sink.received.stream().map(Change::id).distinct().count());
        } finally {
            second.stop();
        }
        long repeats = sink.received.size() - backlog;
        System.out.printf("EngineOverPostgresIT: killed after %d of %d changes, %d repeated after the restart%n", beforeKill, backlog, repeats);
        assertThat(beforeKill).isGreaterThanOrEqualTo(8_000);
        // A checkpoint every 100 ms at about 5,000 changes/s, saved past whole pages of 1,000, and what was in flight.
        assertThat(repeats).as("repeats after a kill at %d", beforeKill).isLessThan(3_000);
    }

    @Test
    void aStalledSinkHoldsBackNoOtherAndARestartResumesEachSinkFromItsOwnCheckpoint() throws Exception {
        PostgresOptions options = TestPostgres.freshOptions();
        BridgePostgres bridge = TestPostgres.bridge(options);
        String table = captured(bridge, "apart_" + options.schema(), "id integer PRIMARY KEY, n integer");
        Collecting fast = new Collecting("fast");
        Gate gate = new Gate();
        DeliveryEngine first = twoSinks(bridge, fast, gate);
        first.start();
        try {
            for (int round = 1; round <= 10; round++) {
                TestPostgres.execute(TestPostgres.dataSource(), "INSERT INTO " + table + " SELECT g, " + round
                        + " FROM generate_series(1, 300) g ON CONFLICT (id) DO UPDATE SET n = excluded.n");
            }
            RecordingHandler.awaitTrue(() -> fast.received.size() == 3_000, Duration.ofSeconds(60), () -> "fast sink has " + fast.received.size());
            RecordingHandler.awaitTrue(() -> pending(bridge, "fast") == 0, Duration.ofSeconds(30), () -> "fast sink's checkpoint behind");
            assertThat(gate.received).as("the gated sink's buffer holds at most its 200").hasSizeLessThanOrEqualTo(200);
        } finally {
            first.stop(Duration.ofMillis(200));
        }
        assertThat(pending(bridge, "gate")).as("the gated sink's checkpoint stayed behind").isEqualTo(3_000);

        gate.open = true;
        Collecting fastAgain = new Collecting("fast");
        DeliveryEngine second = twoSinks(bridge, fastAgain, gate);
        second.start();
        try {
            RecordingHandler.awaitTrue(() -> gate.delivered.size() == 3_000, Duration.ofSeconds(60), () -> "gated sink has " + gate.delivered.size());
            RecordingHandler.awaitTrue(() -> pending(bridge, "gate") == 0, Duration.ofSeconds(30), () -> "gated sink's checkpoint behind");
        } finally {
            second.stop();
        }
        assertThat(fastAgain.received).as("the fast sink resumed from its own checkpoint: nothing again").isEmpty();
        Map<String, Long> last = new HashMap<>();
        for (Change c : gate.delivered) {
            long n = c.val().tree().get("n").asLong();
            assertThat(n).as("order of key %s", c.id()).isEqualTo(last.getOrDefault(c.id(), 0L) + 1);
            last.put(c.id(), n);
        }
    }

    /** Installs the schema and creates {@code table} with {@code columns}, captured. */
    private static String captured(BridgePostgres bridge, String table, String columns) {
        bridge.schema().install();
        TestPostgres.execute(TestPostgres.dataSource(), "CREATE TABLE " + table + " (" + columns + ")");
        bridge.capture().add(table);
        return table;
    }

    private static long pending(BridgePostgres bridge, String sink) {
        return bridge.consumers().list().stream().filter(k -> k.name().equals("apart") && k.sink().equals(sink)).findFirst()
                .map(Consumers.Consumer::pending).orElse(-1L);
    }

    private static DeliveryEngine twoSinks(BridgePostgres bridge, ChangeSink fast, ChangeSink gate) {
        DeliveryPolicy policy = new DeliveryPolicy(4, 50, Duration.ZERO, 200, 16L << 20, Duration.ofSeconds(30),
                RetryPolicy.exponential(Duration.ofMillis(50), Duration.ofMillis(200), 1_000, Duration.ofHours(1)));
        return DeliveryEngine.builder("apart").source(bridge).sink(fast, SinkFilter.all(), policy).sink(gate, SinkFilter.all(), policy)
                .options(new EngineOptions(Duration.ofMillis(50), Duration.ofSeconds(5))).build();
    }

    /** Refuses every change until opened: an endpoint that is down. */
    private static final class Gate implements ChangeSink {
        final List<Change> received = new CopyOnWriteArrayList<>();
        final List<Change> delivered = new CopyOnWriteArrayList<>();
        volatile boolean open;

        @Override
        public String name() {
            return "gate";
        }

        @Override
        public void deliver(List<Change> batch, Acknowledger acks) {
            for (Change c : batch) {
                if (!received.contains(c)) {
                    received.add(c);
                }
                if (open) {
                    delivered.add(c);
                    acks.ack(c, Ack.delivered());
                } else {
                    acks.ack(c, Ack.retry("connection refused"));
                }
            }
        }
    }

    private static DeliveryEngine engine(BridgePostgres bridge, ChangeSink sink, CheckpointStore checkpoints) {
        DeliveryPolicy policy = new DeliveryPolicy(4, 100, Duration.ZERO, 1_000, 16L << 20, Duration.ofSeconds(30),
                RetryPolicy.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 5, Duration.ofMinutes(1)));
        return new DeliveryEngine("catch-up", bridge.changeSource(), List.of(new SinkBinding(sink, SinkFilter.all(), policy)),
                checkpoints, new NoDeadLetters(), new EngineOptions(Duration.ofMillis(100), Duration.ofSeconds(5)), DeliveryObserver.NONE);
    }

    /** About 5,000 changes a second: slow enough that catching up on the backlog takes seconds. */
    private static final class Slow implements ChangeSink {
        final List<Change> received = new CopyOnWriteArrayList<>();

        @Override
        public String name() {
            return "slow";
        }

        @Override
        public void deliver(List<Change> batch, Acknowledger acks) {
            java.util.concurrent.locks.LockSupport.parkNanos(batch.size() * 800_000L);
            for (Change c : batch) {
                received.add(c);
                acks.ack(c, Ack.delivered());
            }
        }
    }

    /** A checkpoint store that saves nothing once "killed", as a process killed at that moment would not. */
    private static final class KillableCheckpoints implements CheckpointStore {
        private final CheckpointStore store;
        volatile boolean killed;

        KillableCheckpoints(CheckpointStore store) {
            this.store = store;
        }

        @Override
        public Map<String, Checkpoint> load(String consumer, Set<String> sinks) {
            return store.load(consumer, sinks);
        }

        @Override
        public void save(String consumer, String sink, Checkpoint checkpoint) {
            if (!killed) {
                store.save(consumer, sink, checkpoint);
            }
        }
    }

    private static final class Collecting implements ChangeSink {
        final String name;
        final List<Change> received = new CopyOnWriteArrayList<>();

        Collecting(String name) {
            this.name = name;
        }

        List<Change> workload() {
            return received.stream().filter(c -> !c.bucket().equals("probe")).toList();
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void deliver(List<Change> batch, Acknowledger acks) {
            for (Change c : batch) {
                received.add(c);
                acks.ack(c, Ack.delivered());
            }
        }
    }

    private static final class NoCheckpoints implements CheckpointStore {
        @Override
        public Map<String, Checkpoint> load(String consumer, Set<String> sinks) {
            return Map.of();
        }

        @Override
        public void save(String consumer, String sink, Checkpoint checkpoint) {
        }
    }

    private static final class NoDeadLetters implements DeadLetterStore {
        @Override
        public DeadLetter add(String sink, Change change, String reason, int attempts) {
            throw new AssertionError("nothing should be dead-lettered: " + reason);
        }

        @Override
        public List<DeadLetter> list(String sink, long afterId, int limit) {
            return List.of();
        }

        @Override
        public boolean remove(long id) {
            return false;
        }
    }
}
