package dev.bridge.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bridge.core.BridgeException;
import dev.bridge.core.Change;
import dev.bridge.core.DeadLetter;
import dev.bridge.core.Json;
import dev.bridge.core.Op;
import dev.bridge.core.port.Ack;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeliveryEngineTest {

    static final RetryPolicy QUICK_RETRY = RetryPolicy.exponential(Duration.ofMillis(5), Duration.ofMillis(40), 5, Duration.ofMinutes(1));
    static final DeliveryPolicy POLICY = new DeliveryPolicy(4, 50, Duration.ofMillis(2), 10_000, 64L << 20, Duration.ofSeconds(30), QUICK_RETRY,
            EndpointPolicy.defaults());

    private final InMemoryChangeLog log = new InMemoryChangeLog();
    private final InMemoryStores.Checkpoints checkpoints = new InMemoryStores.Checkpoints();
    private final InMemoryStores.DeadLetters deadLetters = new InMemoryStores.DeadLetters();
    private final List<DeliveryEngine> engines = new ArrayList<>();

    @AfterEach
    void stopEngines() {
        engines.forEach(e -> e.stop(Duration.ZERO));
    }

    private DeliveryEngine engine(SinkBinding... sinks) {
        DeliveryEngine engine = new DeliveryEngine("test", log, List.of(sinks), checkpoints, deadLetters,
                new EngineOptions(Duration.ofMillis(20), Duration.ofSeconds(5)), DeliveryObserver.NONE);
        engines.add(engine);
        return engine;
    }

    private static SinkBinding bind(ScriptedSink sink) {
        return new SinkBinding(sink, SinkFilter.all(), POLICY);
    }

    private void write(int keys, int versions) {
        for (int v = 1; v <= versions; v++) {
            for (int k = 0; k < keys; k++) {
                log.append("b", "k" + k, v);
            }
        }
    }

    private List<Change> logged(int from, int to) {
        List<Change> changes = new ArrayList<>();
        for (int i = from; i < to; i++) {
            changes.add(log.get(i));
        }
        return changes;
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    static void assertOrderPerKey(List<Change> delivered) {
        Map<String, Long> last = new HashMap<>();
        for (Change c : delivered) {
            long previous = last.getOrDefault(c.id(), 0L);
            assertThat(c.version()).as("order of key %s", c.id()).isEqualTo(previous + 1);
            last.put(c.id(), c.version());
        }
    }

    @Test
    void deliversEveryChangeToEverySinkOnceInOrderPerKey() throws InterruptedException {
        ScriptedSink a = new ScriptedSink("a");
        ScriptedSink b = new ScriptedSink("b");
        write(100, 50);
        engine(bind(a), bind(b)).start();

        await(() -> a.delivered.size() == 5_000 && b.delivered.size() == 5_000, "every change at both sinks");

        for (ScriptedSink sink : List.of(a, b)) {
            assertOrderPerKey(sink.delivered);
            assertThat(sink.delivered).doesNotHaveDuplicates();
            assertThat(sink.maxConcurrentBatches.get()).isLessThanOrEqualTo(POLICY.parallelism());
            assertThat(sink.batchSizes).allSatisfy(size -> assertThat(size).isBetween(1, POLICY.batchSize()));
        }
        await(() -> checkpoints.covers("test", "a") == 5_000 && checkpoints.covers("test", "b") == 5_000, "both checkpoints to cover everything");
    }

    @Test
    void changesTheSourceDroppedBeforeTheConsumerReadThemAreCounted() throws InterruptedException {
        ScriptedSink sink = new ScriptedSink("a");
        checkpoints.lost.set(7);
        write(1, 1);
        DeliveryEngine engine = engine(bind(sink));
        engine.start();
        assertThat(engine.stats().lost()).as("known at start").isEqualTo(7);

        checkpoints.lost.set(19);
        write(1, 2);
        await(() -> engine.stats().lost() == 19, "the count read again with the next checkpoint saved");
    }

    @Test
    void eachSinkGetsWhatItsFilterLetsThrough() throws InterruptedException {
        ScriptedSink orders = new ScriptedSink("orders");
        ScriptedSink inserts = new ScriptedSink("inserts");
        log.append(new Change(Op.INSERT, "orders", "1", 1, Instant.now(), Json.parse("{}"), null, 1));
        log.append(new Change(Op.UPDATE, "orders_eu", "1", 2, Instant.now(), Json.parse("{}"), null, 2));
        log.append(new Change(Op.INSERT, "users", "1", 1, Instant.now(), Json.parse("{}"), null, 3));
        log.append(new Change(Op.DELETE, "users", "1", 2, Instant.now(), null, null, 4));
        DeliveryEngine engine = engine(
                new SinkBinding(orders, new SinkFilter(List.of("orders*"), List.of(), EnumSet.allOf(Op.class)), POLICY),
                new SinkBinding(inserts, new SinkFilter(List.of(), List.of("orders_??"), Set.of(Op.INSERT)), POLICY));
        engine.start();

        await(() -> checkpoints.covers("test", "orders") == 4 && checkpoints.covers("test", "inserts") == 4, "all four settled");

        assertThat(orders.delivered).extracting(Change::seq).containsExactly(1L, 2L);
        assertThat(inserts.delivered).extracting(Change::seq).containsExactlyInAnyOrder(1L, 3L);
        assertThat(engine.stats().sinks()).extracting(SinkStats::received).containsExactly(2L, 2L);
    }

    @Test
    void aFailingKeyWaitsForItsRetryWhileOtherKeysMoveOn() throws InterruptedException {
        ScriptedSink sink = new ScriptedSink("s");
        RetryPolicy slowRetry = new RetryPolicy(Duration.ofMillis(1), Duration.ofMillis(1), List.of(Duration.ofMillis(400)), 10, Duration.ofMinutes(1));
        AtomicInteger failures = new AtomicInteger();
        sink.script = c -> c.id().equals("k0") && c.version() == 1 && failures.getAndIncrement() < 2
                ? Ack.retry("busy") : Ack.delivered();
        write(20, 5);
        engine(new SinkBinding(sink, SinkFilter.all(), POLICY.withRetry(slowRetry))).start();

        await(() -> sink.delivered.stream().filter(c -> !c.id().equals("k0")).count() == 95, "other keys");
        long k0Delivered = sink.delivered.stream().filter(c -> c.id().equals("k0")).count();
        await(() -> sink.delivered.size() == 100, "key k0 after its retries");

        assertThat(k0Delivered).as("k0 still waiting for its first change when the others were done").isLessThan(5);
        assertOrderPerKey(sink.delivered);
        assertThat(sink.attemptsOf(log.get(0))).isEqualTo(3);
        assertThat(deadLetters.letters).isEmpty();
    }

    @Test
    void aPoisonChangeIsDeadLetteredAndItsKeyMovesOn() throws InterruptedException {
        ScriptedSink sink = new ScriptedSink("s");
        sink.script = c -> c.id().equals("k1") && c.version() == 2 ? Ack.failed("400 Bad Request: no such field")
                : c.id().equals("k2") && c.version() == 3 ? Ack.retry("timeout") : Ack.delivered();
        write(10, 5);
        DeliveryEngine engine = engine(bind(sink));
        engine.start();

        await(() -> checkpoints.covers("test") == 50, "everything settled");

        assertThat(sink.delivered).hasSize(48);
        assertOrderPerKey(sink.delivered.stream().filter(c -> !c.id().equals("k1") && !c.id().equals("k2")).toList());
        assertThat(deadLetters.letters).extracting(DeadLetter::sink).containsOnly("s");
        DeadLetter permanent = deadLetters.letters.stream().filter(l -> l.change().id().equals("k1")).findFirst().orElseThrow();
        assertThat(permanent.reason()).isEqualTo("400 Bad Request: no such field");
        assertThat(permanent.attempts()).isEqualTo(1);
        DeadLetter exhausted = deadLetters.letters.stream().filter(l -> l.change().id().equals("k2")).findFirst().orElseThrow();
        assertThat(exhausted.attempts()).isEqualTo(QUICK_RETRY.maxAttempts());
        assertThat(exhausted.reason()).startsWith("gave up after 5 attempt(s)").endsWith("timeout");
        assertThat(sink.delivered.stream().filter(c -> c.id().equals("k1")).map(Change::version).toList()).containsExactly(1L, 3L, 4L, 5L);
        assertThat(engine.stats().sinks().get(0).deadLettered()).isEqualTo(2);
        assertThat(engine.stats().sinks().get(0).retried()).isEqualTo(4);
    }

    @Test
    void aRetryWaitsAtLeastAsLongAsTheSinkAsked() throws InterruptedException {
        ScriptedSink sink = new ScriptedSink("s");
        List<Long> attemptsAt = new java.util.concurrent.CopyOnWriteArrayList<>();
        sink.script = c -> {
            attemptsAt.add(System.nanoTime());
            return attemptsAt.size() == 1 ? Ack.retryAfter(Instant.now().plusMillis(300), "429") : Ack.delivered();
        };
        log.append("b", "1", 1);
        engine(bind(sink)).start();

        await(() -> sink.delivered.size() == 1, "the redelivery");

        assertThat(Duration.ofNanos(attemptsAt.get(1) - attemptsAt.get(0))).isGreaterThanOrEqualTo(Duration.ofMillis(290));
    }

    @Test
    void aSinkThatThrowsOrNeverAnswersIsRetried() throws InterruptedException {
        ScriptedSink silent = new ScriptedSink("silent");
        AtomicInteger calls = new AtomicInteger();
        silent.script = c -> calls.incrementAndGet() == 1 ? null : Ack.delivered();
        ThrowingOnceSink throwing = new ThrowingOnceSink("throwing");
        log.append("b", "1", 1);
        engine(new SinkBinding(silent, SinkFilter.all(), POLICY.withAckTimeout(Duration.ofMillis(200))),
                new SinkBinding(throwing, SinkFilter.all(), POLICY)).start();

        await(() -> silent.delivered.size() == 1 && throwing.delivered.size() == 1, "both after a retry");
        assertThat(calls.get()).isEqualTo(2);
        assertThat(throwing.calls.get()).isEqualTo(2);
    }

    /** A slow observer must not hold up the sink: it hears of outcomes with no lock of the engine's held, time-outs included. */
    @Test
    void theObserverIsCalledWithNoLockHeldEvenForAnAcknowledgementTimeOut() throws InterruptedException {
        ScriptedSink silent = new ScriptedSink("silent");
        AtomicInteger calls = new AtomicInteger();
        silent.script = c -> calls.incrementAndGet() == 1 ? null : Ack.delivered();
        List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        DeliveryEngine[] engine = new DeliveryEngine[1];
        DeliveryObserver observer = new DeliveryObserver() {
            @Override
            public void retried(String sink, Change change, String reason) {
                heard.add(statsFromAnotherThread(engine[0]) ? "retried, engine free" : "retried under the engine's lock");
            }

            @Override
            public void delivered(String sink, Change change, Duration latency) {
                heard.add(statsFromAnotherThread(engine[0]) ? "delivered, engine free" : "delivered under the engine's lock");
            }
        };
        engine[0] = new DeliveryEngine("test", log, List.of(new SinkBinding(silent, SinkFilter.all(),
                POLICY.withAckTimeout(Duration.ofMillis(100)))), checkpoints, deadLetters, EngineOptions.defaults(), observer);
        engines.add(engine[0]);
        log.append("b", "1", 1);
        engine[0].start();

        await(() -> heard.size() == 2, "a time-out, then the delivery");
        assertThat(heard).containsExactly("retried, engine free", "delivered, engine free");
    }

    static boolean statsFromAnotherThread(DeliveryEngine engine) {
        Thread reader = new Thread(engine::stats);
        reader.start();
        try {
            reader.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !reader.isAlive();
    }

    @Test
    void aStalledSinkKeepsItsBufferBoundedAndHoldsBackNoOtherSink() throws InterruptedException {
        ScriptedSink stalled = new ScriptedSink("stalled").stall();
        ScriptedSink healthy = new ScriptedSink("healthy");
        DeliveryPolicy small = POLICY.withBuffer(1_000, 64L << 20);
        DeliveryEngine engine = engine(new SinkBinding(stalled, SinkFilter.all(), small), new SinkBinding(healthy, SinkFilter.all(), small));
        engine.start();
        // Fewer changes than the stalled sink could time out on (its acknowledgement timeout), however slow the machine.
        write(1_000, 20);
        assertThat(log.size()).isEqualTo(20_000);

        await(() -> healthy.delivered.size() == 20_000, "the healthy sink to deliver everything while the other is stalled");
        await(() -> checkpoints.covers("test", "healthy") == 20_000, "the healthy sink's checkpoint to cover everything");
        SinkStats held = engine.stats().sinks().get(0);
        assertThat(held.sink()).isEqualTo("stalled");
        assertThat(held.buffered()).isLessThanOrEqualTo(1_000);
        assertThat(held.received()).isLessThanOrEqualTo(1_001);
        assertThat(checkpoints.covers("test", "stalled")).isZero();
        assertThat(held.checkpointLag()).isPositive();
        assertThat(engine.stats().sinks().get(1).checkpointLag()).isZero();

        stalled.release();
        await(() -> stalled.delivered.size() == 20_000, "the stalled sink to catch up once released");
        await(() -> engine.stats().checkpointLag() == 0 && checkpoints.covers("test") == 20_000, "both checkpoints to cover everything");
        assertOrderPerKey(stalled.delivered);
        assertOrderPerKey(healthy.delivered);
        assertThat(healthy.delivered).hasSize(20_000);
    }

    @Test
    void eachSinkResumesFromItsOwnCheckpoint() throws InterruptedException {
        ScriptedSink ahead = new ScriptedSink("ahead");
        ScriptedSink behind = new ScriptedSink("behind");
        checkpoints.save("test", "ahead", new dev.bridge.core.Checkpoint("30"));
        checkpoints.save("test", "behind", new dev.bridge.core.Checkpoint("10"));
        write(10, 4);
        DeliveryEngine engine = engine(bind(ahead), bind(behind));
        engine.start();
        await(() -> ahead.delivered.size() == 10 && behind.delivered.size() == 30, "each sink to read from its own checkpoint");
        assertThat(ahead.delivered).containsExactlyInAnyOrderElementsOf(logged(30, 40));
        assertThat(behind.delivered).containsExactlyInAnyOrderElementsOf(logged(10, 40));
        await(() -> checkpoints.covers("test", "ahead") == 40 && checkpoints.covers("test", "behind") == 40, "both at the end");
    }

    @Test
    void aLiveOnlySourceIsSubscribedOnceForAllSinks() throws InterruptedException {
        java.util.concurrent.atomic.AtomicInteger subscriptions = new java.util.concurrent.atomic.AtomicInteger();
        dev.bridge.core.port.ChangeSource live = new dev.bridge.core.port.ChangeSource() {
            @Override
            public dev.bridge.core.port.Subscription subscribe(java.util.Optional<dev.bridge.core.Checkpoint> from,
                    dev.bridge.core.port.ChangeHandler handler) {
                subscriptions.incrementAndGet();
                return log.subscribe(from, handler);
            }

            @Override
            public boolean replayable() {
                return false;
            }
        };
        ScriptedSink a = new ScriptedSink("a");
        ScriptedSink b = new ScriptedSink("b");
        DeliveryEngine engine = DeliveryEngine.builder("test").source(live, checkpoints, deadLetters).sink(a).sink(b).build();
        engines.add(engine);
        engine.start();
        write(5, 2);
        await(() -> a.delivered.size() == 10 && b.delivered.size() == 10, "both sinks to deliver");
        assertThat(subscriptions.get()).isEqualTo(1);
        await(() -> checkpoints.covers("test", "a") == 10 && checkpoints.covers("test", "b") == 10, "one position saved under both");
    }

    @Test
    void stopFinishesInFlightWorkAndSavesTheCheckpoint() throws InterruptedException {
        ScriptedSink sink = new ScriptedSink("s");
        sink.script = c -> {
            sleep(2);
            return Ack.delivered();
        };
        write(10, 100);
        // A small buffer keeps most changes in the log, so the stop comes mid-stream.
        DeliveryEngine engine = engine(new SinkBinding(sink, SinkFilter.all(), POLICY.withBuffer(20, 1L << 20)));
        engine.start();
        await(() -> sink.delivered.size() >= 100, "some deliveries");

        assertThat(engine.stop()).isTrue();

        int covered = checkpoints.covers("test");
        assertThat(covered).isPositive();
        // A change taken while the stop began may be delivered without being covered: it repeats after the restart.
        assertThat(sink.delivered.size() - covered).isBetween(0, 1);
        assertThat(engine.stats().received() - covered).isBetween(0L, 1L);
        assertThat(sink.stopped).isTrue();

        ScriptedSink next = new ScriptedSink("s");
        engine(bind(next)).start();
        await(() -> next.delivered.size() == 1_000 - covered, "the rest after a restart");
        Thread.sleep(50);
        assertThat(next.delivered).hasSize(1_000 - covered).allSatisfy(c -> assertThat(c.seq()).isGreaterThan(covered));
        assertThat(covered).as("the stop came mid-stream").isLessThan(1_000);
    }

    @Test
    void stopAbandonsWhatCannotFinishAndTheCheckpointStaysBehindIt() throws InterruptedException {
        ScriptedSink sink = new ScriptedSink("s");
        sink.script = c -> c.id().equals("k3") ? Ack.retry("down") : Ack.delivered();
        RetryPolicy patient = RetryPolicy.exponential(Duration.ofSeconds(10), Duration.ofSeconds(10), 10, Duration.ofHours(1));
        write(5, 1);
        DeliveryEngine engine = engine(new SinkBinding(sink, SinkFilter.all(), POLICY.withRetry(patient)));
        engine.start();
        await(() -> sink.delivered.size() == 4, "the other keys");

        assertThat(engine.stop(Duration.ofMillis(100))).isFalse();

        assertThat(checkpoints.covers("test")).isEqualTo(3);
    }

    @Test
    void refusesDuplicateSinkNamesAndReportsSinksThatFailToStart() {
        assertThatThrownBy(() -> engine(bind(new ScriptedSink("x")), bind(new ScriptedSink("x"))))
                .hasMessageContaining("two sinks are named 'x'");
        ScriptedSink ok = new ScriptedSink("ok");
        ChangeSinkThatFailsToStart broken = new ChangeSinkThatFailsToStart();
        DeliveryEngine engine = engine(bind(ok), new SinkBinding(broken, SinkFilter.all(), POLICY));
        assertThatThrownBy(engine::start).isInstanceOf(BridgeException.class)
                .hasMessage("sink 'broken' failed to start: connection refused");
        assertThat(ok.stopped).isTrue();
    }

    @Test
    void aCheckpointThatCannotBeReadFailsTheStartWithItsOwnErrorAndLeavesNoThreadRunning() {
        ScriptedSink sink = new ScriptedSink("s");
        dev.bridge.core.port.CheckpointStore unreadable = new dev.bridge.core.port.CheckpointStore() {
            @Override
            public java.util.Map<String, dev.bridge.core.Checkpoint> load(String consumer, java.util.Set<String> sinks) {
                throw new BridgeException("database unreachable");
            }

            @Override
            public void save(String consumer, String sink, dev.bridge.core.Checkpoint checkpoint) {
            }
        };
        DeliveryEngine engine = new DeliveryEngine("test", log, List.of(bind(sink)), unreadable, deadLetters,
                EngineOptions.defaults(), DeliveryObserver.NONE);
        assertThatThrownBy(engine::start).isInstanceOf(BridgeException.class).hasMessage("database unreachable");
        assertThat(sink.stopped).isTrue();
        assertThat(engine.stop()).isTrue();
        assertThat(liveThreads("bridge-dispatch-s", "bridge-checkpoint-test", "bridge-dead-letters-s")).isEmpty();
    }

    @Test
    void aSourceThatRefusesTheSubscriptionFailsTheStartWithItsOwnErrorAndLeavesNoThreadRunning() {
        ScriptedSink sink = new ScriptedSink("s");
        dev.bridge.core.port.ChangeSource refusing = (from, handler) -> {
            throw new IllegalStateException("permission denied for table bridge_changes");
        };
        DeliveryEngine engine = DeliveryEngine.builder("test").source(refusing, checkpoints, deadLetters).sink(sink).build();
        assertThatThrownBy(engine::start).isInstanceOf(BridgeException.class)
                .hasMessage("delivery engine test could not start: permission denied for table bridge_changes")
                .hasCauseInstanceOf(IllegalStateException.class);
        assertThat(sink.stopped).isTrue();
        assertThat(engine.stop()).isTrue();
        assertThat(liveThreads("bridge-dispatch-s", "bridge-checkpoint-test", "bridge-dead-letters-s")).isEmpty();
    }

    @Test
    void theBuilderNeedsASourceAndASinkAndDefaultsTheRest() throws InterruptedException {
        assertThatThrownBy(() -> DeliveryEngine.builder("test").sink(new ScriptedSink("s")).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("has no source; call source(...)");
        assertThatThrownBy(() -> DeliveryEngine.builder("test").source(log, checkpoints, deadLetters).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("the engine needs at least one sink");
        assertThatThrownBy(() -> DeliveryEngine.builder(" ")).isInstanceOf(IllegalArgumentException.class);
        ScriptedSink all = new ScriptedSink("all");
        ScriptedSink orders = new ScriptedSink("orders");
        DeliveryEngine engine = DeliveryEngine.builder("test").source(log, checkpoints, deadLetters)
                .sink(all).sink(orders, SinkFilter.buckets("ord*")).build();
        engines.add(engine);
        engine.start();
        log.append("orders", "1", 1);
        log.append("users", "1", 1);
        await(() -> all.delivered.size() == 2 && orders.delivered.size() == 1, "both sinks");
        assertThat(orders.delivered).extracting(Change::bucket).containsExactly("orders");
    }

    /** The engine's threads still alive after a while: the dispatchers are started with their sinks, the others on first use. */
    private static List<String> liveThreads(String... names) {
        Set<String> wanted = Set.of(names);
        List<String> alive = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        do {
            alive.clear();
            Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                    .filter(n -> wanted.contains(n) || n.startsWith("bridge-sink-s-")).forEach(alive::add);
            if (alive.isEmpty()) {
                break;
            }
            sleep(20);
        } while (System.nanoTime() < deadline);
        return alive;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Throws from its first deliver call, then delivers. */
    static final class ThrowingOnceSink implements dev.bridge.core.port.ChangeSink {
        final String name;
        final AtomicInteger calls = new AtomicInteger();
        final List<Change> delivered = new java.util.concurrent.CopyOnWriteArrayList<>();

        ThrowingOnceSink(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void deliver(List<Change> batch, dev.bridge.core.port.Acknowledger acks) {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("bug in the sink");
            }
            for (Change c : batch) {
                delivered.add(c);
                acks.ack(c, Ack.delivered());
            }
        }
    }

    static final class ChangeSinkThatFailsToStart implements dev.bridge.core.port.ChangeSink {
        @Override
        public String name() {
            return "broken";
        }

        @Override
        public void start() {
            throw new IllegalStateException("connection refused");
        }

        @Override
        public void deliver(List<Change> batch, dev.bridge.core.port.Acknowledger acks) {
        }
    }
}
