package dev.bridge.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bridge.core.Change;
import dev.bridge.core.LeaseLostException;
import dev.bridge.core.Checkpoint;
import dev.bridge.core.engine.DeliveryEngine;
import dev.bridge.core.engine.DeliveryPolicy;
import dev.bridge.core.engine.EngineOptions;
import dev.bridge.core.engine.RetryPolicy;
import dev.bridge.core.engine.SinkFilter;
import dev.bridge.core.port.Ack;
import dev.bridge.core.port.Acknowledger;
import dev.bridge.core.port.ChangeSink;
import dev.bridge.core.port.CheckpointStore;
import dev.bridge.core.port.Lease;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Several engines of one consumer, each with its own connections, coordinated by PostgreSQL: exactly
 * one delivers each partition, a standby takes over when the leader's session is ended or its
 * connections freeze, a deposed leader saves no checkpoint, and partitions move between engines
 * as they join and leave, with every committed change delivered and per-key order kept.
 */
class LeadershipIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int KEYS = 100;

    @Test
    void aStandbyTakesOverALeaderCutOffAsByAKillAndTheDeposedLeaderNeitherSavesNorDelivers() throws Exception {
        Fixture f = new Fixture(1);
        FreezableProxy proxy = new FreezableProxy(TestPostgres.shared().getPort());
        ConnectionFactory viaProxy = ConnectionFactory.of("jdbc:postgresql://127.0.0.1:" + proxy.port() + "/postgres", "postgres", null);
        Engine a = f.engine("a", viaProxy);
        a.start();
        RecordingHandler.awaitTrue(() -> a.engine.leading().equals(Set.of(0)), WAIT, () -> "a does not lead");
        Engine b = f.engine("b", TestPostgres.listenerConnections());
        b.start();
        try (Writers writers = f.writers()) {
            RecordingHandler.awaitTrue(() -> f.received.size() > 500, WAIT, () -> "nothing delivered");
            assertThat(b.engine.leading()).as("the standby leads nothing").isEmpty();
            assertThat(b.hook.count.get()).as("the standby delivers nothing").isZero();

            // As kill -9 does: every socket of the leader's connections closes, and it cannot connect again.
            long killedAt = System.nanoTime();
            proxy.close();
            RecordingHandler.awaitTrue(() -> b.engine.leading().equals(Set.of(0)), WAIT, () -> "b did not take over");
            long bLeads = System.nanoTime();
            long aDelivered = a.hook.count.get();
            RecordingHandler.awaitTrue(() -> b.hook.count.get() > 200, WAIT, () -> "b delivers nothing");
            System.out.printf("LeadershipIT: the standby led %d ms and delivered %d ms after the leader was cut off%n",
                    (bLeads - killedAt) / 1_000_000, (b.hook.firstAt.get() - killedAt) / 1_000_000);
            writers.stop();
            f.awaitAllDelivered(writers);
            assertThat(a.engine.leading()).isEmpty();
            assertThat(a.saves.savedAfter(bLeads)).as("checkpoints saved by the deposed leader").isZero();
            assertThat(a.hook.count.get()).as("deliveries by the deposed leader").isEqualTo(aDelivered);
        } finally {
            b.stop();
            a.stop();
        }
        f.assertOrderPerKey();
    }

    @Test
    void aLeaderWhoseSessionIsEndedGoesOnUnderANewEpoch() throws Exception {
        Fixture f = new Fixture(1);
        Engine a = f.engine("a", TestPostgres.listenerConnections());
        a.start();
        RecordingHandler.awaitTrue(() -> a.engine.leading().equals(Set.of(0)), WAIT, () -> "a does not lead");
        Engine b = f.engine("b", TestPostgres.listenerConnections());
        b.start();
        try (Writers writers = f.writers()) {
            RecordingHandler.awaitTrue(() -> f.received.size() > 500, WAIT, () -> "nothing delivered");
            long epoch = f.epoch(0);
            TestPostgres.execute(TestPostgres.dataSource(), "SELECT pg_terminate_backend(" + f.holderPid(0) + ")");
            RecordingHandler.awaitTrue(() -> f.epoch(0) > epoch && a.engine.leading().size() + b.engine.leading().size() == 1, WAIT,
                    () -> "no new leader");
            long after = f.received.size();
            RecordingHandler.awaitTrue(() -> f.received.size() > after + 200, WAIT, () -> "nothing delivered under the new epoch");
            writers.stop();
            f.awaitAllDelivered(writers);
        } finally {
            b.stop();
            a.stop();
        }
        f.assertOrderPerKey();
    }

    @Test
    void aLeaderWhoseConnectionsFreezeStopsByItselfAndIsReplaced() throws Exception {
        Fixture f = new Fixture(1);
        try (FreezableProxy proxy = new FreezableProxy(TestPostgres.shared().getPort())) {
            ConnectionFactory viaProxy = ConnectionFactory.of("jdbc:postgresql://127.0.0.1:" + proxy.port() + "/postgres", "postgres", null);
            Engine a = f.engine("a", viaProxy);
            a.start();
            RecordingHandler.awaitTrue(() -> a.engine.leading().equals(Set.of(0)), WAIT, () -> "a does not lead");
            Engine b = f.engine("b", TestPostgres.listenerConnections());
            b.start();
            try (Writers writers = f.writers()) {
                RecordingHandler.awaitTrue(() -> a.hook.count.get() > 500, WAIT, () -> "nothing delivered");
                long frozenAt = System.nanoTime();
                proxy.freezeCurrentConnections();
                RecordingHandler.awaitTrue(() -> a.engine.leading().isEmpty(), WAIT, () -> "a did not step down");
                long steppedDown = System.nanoTime();
                RecordingHandler.awaitTrue(() -> b.engine.leading().equals(Set.of(0)), WAIT, () -> "b did not take over");
                long bLeads = System.nanoTime();
                long aDelivered = a.hook.count.get();
                System.out.printf("LeadershipIT: frozen leader stepped down after %d ms, the standby led after %d ms%n",
                        (steppedDown - frozenAt) / 1_000_000, (bLeads - frozenAt) / 1_000_000);
                writers.stop();
                f.awaitAllDelivered(writers);
                assertThat(a.saves.savedAfter(steppedDown)).as("checkpoints saved after stepping down").isZero();
                assertThat(a.hook.count.get()).as("deliveries by the frozen leader once the standby led").isEqualTo(aDelivered);
            } finally {
                b.stop();
                a.stop();
            }
        }
        f.assertOrderPerKey();
    }

    @Test
    void aGracefulStopHandsOverAtOnceWithoutRepeats() throws Exception {
        Fixture f = new Fixture(1);
        Engine a = f.engine("a", TestPostgres.listenerConnections());
        a.start();
        RecordingHandler.awaitTrue(() -> a.engine.leading().equals(Set.of(0)), WAIT, () -> "a does not lead");
        Engine b = f.engine("b", TestPostgres.listenerConnections());
        b.start();
        try (Writers writers = f.writers()) {
            RecordingHandler.awaitTrue(() -> f.received.size() > 500, WAIT, () -> "nothing delivered");
            long stopAt = System.nanoTime();
            a.stop();
            RecordingHandler.awaitTrue(() -> b.engine.leading().equals(Set.of(0)), WAIT, () -> "b did not take over");
            long handOverMillis = (System.nanoTime() - stopAt) / 1_000_000;
            System.out.printf("LeadershipIT: graceful hand-over in %d ms%n", handOverMillis);
            writers.stop();
            f.awaitAllDelivered(writers);
            assertThat(f.repeats()).as("changes delivered twice").isZero();
        } finally {
            b.stop();
            a.stop();
        }
        f.assertOrderPerKey();
    }

    @Test
    void aHandOverBehindASlowSinkLeavesWhatItHoldsToTheNextLeaderAndLosesNothing() throws Exception {
        Fixture f = new Fixture(1);
        Engine a = f.engine("a", TestPostgres.listenerConnections(), Duration.ZERO, Duration.ofMillis(500));
        Engine b = f.engine("b", TestPostgres.listenerConnections(), Duration.ZERO, Duration.ZERO);
        try (Writers writers = f.writers()) {
            RecordingHandler.awaitTrue(() -> writers.committed.values().stream().mapToLong(Long::longValue).sum() > 3_000, WAIT,
                    () -> "the writers are slow");
            a.start();
            RecordingHandler.awaitTrue(() -> a.hook.count.get() > 200, WAIT, () -> "a delivers nothing");
            b.start();
            assertThat(a.engine.stop()).as("a had delivered all it held, with no time to do so").isFalse();
            RecordingHandler.awaitTrue(() -> b.engine.leading().equals(Set.of(0)), WAIT, () -> "b did not take over");
            writers.stop();
            f.awaitAllDelivered(writers);
            System.out.printf("LeadershipIT: a hand-over with a backlog repeated %d changes%n", f.repeats());
        } finally {
            b.stop();
            a.stop();
        }
        f.assertOrderPerKey();
    }

    @Test
    void partitionsAreSharedEvenlyAsEnginesJoinAndLeaveWithOrderKept() throws Exception {
        Fixture f = new Fixture(6);
        List<Engine> engines = new ArrayList<>();
        Engine first = f.engine("p1", TestPostgres.listenerConnections());
        first.start();
        engines.add(first);
        try (Writers writers = f.writers()) {
            RecordingHandler.awaitTrue(() -> first.engine.leading().size() == 6, WAIT, () -> "p1 leads " + first.engine.leading());
            RecordingHandler.awaitTrue(() -> f.received.size() > 300, WAIT, () -> "nothing delivered");
            for (String name : List.of("p2", "p3")) {
                Engine e = f.engine(name, TestPostgres.listenerConnections());
                e.start();
                engines.add(e);
            }
            RecordingHandler.awaitTrue(() -> engines.stream().allMatch(e -> e.engine.leading().size() == 2), WAIT,
                    () -> "shares " + engines.stream().map(e -> e.engine.leading()).toList());
            assertThat(engines.stream().flatMap(e -> e.engine.leading().stream()).distinct().count()).isEqualTo(6);
            long before = f.received.size();
            RecordingHandler.awaitTrue(() -> engines.stream().allMatch(e -> e.hook.count.get() > 0) && f.received.size() > before + 300,
                    WAIT, () -> "not every engine delivers");
            Engine leaving = engines.remove(1);
            leaving.stop();
            RecordingHandler.awaitTrue(() -> engines.stream().allMatch(e -> e.engine.leading().size() == 3), WAIT,
                    () -> "shares " + engines.stream().map(e -> e.engine.leading()).toList());
            writers.stop();
            f.awaitAllDelivered(writers);
        } finally {
            engines.forEach(Engine::stop);
        }
        f.assertOrderPerKey();
    }

    @Test
    void anEngineWithAnotherPartitionCountLeadsNothing() throws Exception {
        Fixture f = new Fixture(4);
        Engine a = f.engine("a", TestPostgres.listenerConnections());
        a.start();
        RecordingHandler.awaitTrue(() -> a.engine.leading().size() == 4, WAIT, () -> "a leads " + a.engine.leading());
        Engine b = f.withPartitions(2).engine("b", TestPostgres.listenerConnections());
        b.start();
        try {
            Thread.sleep(1_500);
            assertThat(b.engine.leading()).isEmpty();
            assertThat(a.engine.leading()).hasSize(4);
        } finally {
            b.stop();
            a.stop();
        }
    }

    @Test
    void aSaveUnderAnEpochThatEndedIsRefusedAndChangesNothing() throws Exception {
        Fixture f = new Fixture(1);
        Engine a = f.engine("a", TestPostgres.listenerConnections());
        a.start();
        RecordingHandler.awaitTrue(() -> a.engine.leading().equals(Set.of(0)), WAIT, () -> "a does not lead");
        a.stop();
        long epoch = f.epoch(0);
        CheckpointStore store = f.bridge.checkpointStore();
        CheckpointStore current = store.leased(new FixedLease(f.consumer, 0, 1, epoch));
        CheckpointStore stale = store.leased(new FixedLease(f.consumer, 0, 1, epoch - 1));
        current.load(f.consumer, Set.of("hook"));
        current.save(f.consumer, "hook", new Checkpoint("5:5:"));
        assertThatThrownBy(() -> stale.save(f.consumer, "hook", new Checkpoint("9:9:"))).isInstanceOf(LeaseLostException.class)
                .hasMessageContaining("another process leads it now");
        assertThat(current.load(f.consumer, Set.of("hook"))).containsEntry("hook", new Checkpoint("5:5:"));
    }

    /** One consumer's schema, table, writers' record and the receiver all engines deliver to. */
    private static final class Fixture {
        final PostgresOptions options;
        final BridgePostgres bridge;
        final String consumer = "ha";
        final String table;
        final int partitions;
        final Queue<Change> received = new ConcurrentLinkedQueue<>();

        Fixture(int partitions) {
            this.options = TestPostgres.freshOptions();
            this.bridge = TestPostgres.bridge(options);
            this.partitions = partitions;
            this.table = "ha_" + options.schema();
            bridge.schema().install();
            TestPostgres.execute(TestPostgres.dataSource(), "CREATE TABLE " + table + " (id integer PRIMARY KEY, n integer NOT NULL)");
            TestPostgres.execute(TestPostgres.dataSource(), "INSERT INTO " + table + " SELECT g, 0 FROM generate_series(0, " + (KEYS - 1) + ") g");
            bridge.capture().add(table);
        }

        private Fixture(Fixture other, int partitions) {
            this.options = other.options;
            this.bridge = other.bridge;
            this.table = other.table;
            this.partitions = partitions;
        }

        Fixture withPartitions(int count) {
            return new Fixture(this, count);
        }

        Engine engine(String name, ConnectionFactory connections) {
            return engine(name, connections, EngineOptions.defaults().handOverTime(), Duration.ZERO);
        }

        /** An engine whose sink takes {@code perBatch} for each batch. */
        Engine engine(String name, ConnectionFactory connections, Duration handOverTime, Duration perBatch) {
            BridgePostgres own = BridgePostgres.create(TestPostgres.dataSource(), connections, options);
            Hook hook = new Hook(received, perBatch);
            Saves saves = new Saves(own.checkpointStore());
            DeliveryPolicy policy = new DeliveryPolicy(4, 50, Duration.ZERO, 2_000, 16L << 20, Duration.ofSeconds(30),
                    RetryPolicy.exponential(Duration.ofMillis(10), Duration.ofMillis(200), 1_000, Duration.ofHours(1)));
            DeliveryEngine engine = DeliveryEngine.builder(consumer)
                    .source(own.changeSource(), saves, own.deadLetterStore())
                    .coordinator(own.coordinator().orElseThrow())
                    .partitions(partitions)
                    .sink(hook, SinkFilter.all(), policy)
                    .options(new EngineOptions(Duration.ofMillis(50), Duration.ofSeconds(10), handOverTime))
                    .build();
            return new Engine(name, engine, hook, saves);
        }

        Writers writers() {
            return new Writers(table);
        }

        int holderPid(int part) {
            return Integer.parseInt(TestPostgres.queryString(TestPostgres.dataSource(), "SELECT holder_pid FROM " + options.quotedSchema()
                    + ".bridge_leases WHERE consumer = '" + consumer + "' AND part = " + part));
        }

        long epoch(int part) {
            return Long.parseLong(TestPostgres.queryString(TestPostgres.dataSource(), "SELECT epoch FROM " + options.quotedSchema()
                    + ".bridge_leases WHERE consumer = '" + consumer + "' AND part = " + part));
        }

        /** Every (key, n) a writer committed has been delivered. */
        void awaitAllDelivered(Writers writers) throws InterruptedException {
            RecordingHandler.awaitTrue(() -> {
                Map<String, Long> last = lastDelivered();
                return writers.committed.entrySet().stream().allMatch(e -> last.getOrDefault(e.getKey(), -1L) >= e.getValue());
            }, Duration.ofSeconds(60), () -> "undelivered: " + writers.committed.entrySet().stream()
                    .filter(e -> lastDelivered().getOrDefault(e.getKey(), -1L) < e.getValue()).limit(5).toList());
        }

        private Map<String, Long> lastDelivered() {
            Map<String, Long> last = new HashMap<>();
            for (Change c : received) {
                last.merge(c.id(), n(c), Math::max);
            }
            return last;
        }

        long repeats() {
            Set<Long> seen = ConcurrentHashMap.newKeySet();
            return received.stream().filter(c -> !seen.add(c.seq())).count();
        }

        /**
         * Per key, the changes in the order they were first delivered have strictly increasing n, and
         * none is missing between the first and the last: repeats are allowed, going back is not.
         */
        void assertOrderPerKey() {
            Set<Long> seen = new java.util.HashSet<>();
            Map<String, Long> last = new HashMap<>();
            for (Change c : received) {
                if (!seen.add(c.seq())) {
                    continue;
                }
                long n = n(c);
                Long before = last.put(c.id(), n);
                if (before != null) {
                    assertThat(n).as("key %s: %d delivered first after %d", c.id(), n, before).isEqualTo(before + 1);
                }
            }
            assertThat(last).isNotEmpty();
        }

        static long n(Change c) {
            return c.val().tree().get("n").asLong();
        }
    }

    /** 4 writers, each updating its own quarter of the keys, one change at a time, recording what committed. */
    private static final class Writers implements AutoCloseable {
        final Map<String, Long> committed = new ConcurrentHashMap<>();
        private final AtomicBoolean stopped = new AtomicBoolean();
        private final List<Thread> threads = new ArrayList<>();

        Writers(String table) {
            for (int w = 0; w < 4; w++) {
                int writer = w;
                Thread t = new Thread(() -> write(table, writer), "writer-" + w);
                t.setDaemon(true);
                t.start();
                threads.add(t);
            }
        }

        private void write(String table, int writer) {
            try (Connection c = TestPostgres.dataSource().getConnection();
                    PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET n = n + 1 WHERE id = ? RETURNING n")) {
                for (int i = 0; !stopped.get(); i++) {
                    int id = writer * (KEYS / 4) + i % (KEYS / 4);
                    ps.setInt(1, id);
                    try (var rs = ps.executeQuery()) {
                        rs.next();
                        committed.put(Integer.toString(id), rs.getLong(1));
                    }
                    LockSupport.parkNanos(1_000_000);
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        void stop() throws InterruptedException {
            stopped.set(true);
            for (Thread t : threads) {
                t.join();
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }
    }

    private record Engine(String name, DeliveryEngine engine, Hook hook, Saves saves) {
        void start() {
            engine.start();
        }

        void stop() {
            engine.stop();
        }
    }

    /** The receiver's door for one engine: records what it delivers, in the order it is delivered. */
    private static final class Hook implements ChangeSink {
        final Queue<Change> receiver;
        final AtomicLong count = new AtomicLong();
        /** When it was first handed a batch ({@link System#nanoTime()}). */
        final AtomicLong firstAt = new AtomicLong();
        private final long perBatchNanos;

        Hook(Queue<Change> receiver, Duration perBatch) {
            this.receiver = receiver;
            this.perBatchNanos = Math.max(1_000_000, perBatch.toNanos());
        }

        @Override
        public String name() {
            return "hook";
        }

        @Override
        public void deliver(List<Change> batch, Acknowledger acks) {
            firstAt.compareAndSet(0, System.nanoTime());
            LockSupport.parkNanos(perBatchNanos);
            for (Change c : batch) {
                receiver.add(c);
                count.incrementAndGet();
                acks.ack(c, Ack.delivered());
            }
        }
    }

    /** The engine's checkpoint store, recording when each save under a lease succeeded. */
    private static final class Saves implements CheckpointStore {
        private final CheckpointStore store;
        private final Queue<Long> savedAt = new ConcurrentLinkedQueue<>();

        Saves(CheckpointStore store) {
            this.store = store;
        }

        long savedAfter(long nanos) {
            return savedAt.stream().filter(t -> t - nanos > 0).count();
        }

        @Override
        public Map<String, Checkpoint> load(String consumer, Set<String> sinks) {
            return store.load(consumer, sinks);
        }

        @Override
        public void save(String consumer, String sink, Checkpoint checkpoint) {
            store.save(consumer, sink, checkpoint);
        }

        @Override
        public CheckpointStore leased(Lease lease) {
            CheckpointStore leased = store.leased(lease);
            return new CheckpointStore() {
                @Override
                public Map<String, Checkpoint> load(String consumer, Set<String> sinks) {
                    return leased.load(consumer, sinks);
                }

                @Override
                public void save(String consumer, String sink, Checkpoint checkpoint) {
                    leased.save(consumer, sink, checkpoint);
                    savedAt.add(System.nanoTime());
                }
            };
        }
    }

    private record FixedLease(String consumer, int partition, int partitions, long epoch) implements Lease {
        @Override
        public boolean valid() {
            return true;
        }
    }
}
