package dev.bridge.core.engine;

import static dev.bridge.core.engine.DeliveryEngineTest.assertOrderPerKey;
import static dev.bridge.core.engine.DeliveryEngineTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bridge.core.Change;
import dev.bridge.core.DeadLetter;
import dev.bridge.core.port.Ack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A sink whose endpoint refuses every key for a while, through the whole engine: it goes down, is
 * probed one change at a time, and once back gets its backlog at once rather than at each change's
 * retry time. The retry schedules are of minutes, so a change that waited for its own would time
 * the test out.
 */
class EndpointOutageTest {

    private static final RetryPolicy MINUTES = RetryPolicy.scheduled(List.of(Duration.ofMinutes(5)), 10, Duration.ofHours(1));
    private static final DeliveryPolicy POLICY = new DeliveryPolicy(4, 50, Duration.ofMillis(2), 10_000, 64L << 20,
            Duration.ofSeconds(30), MINUTES, EndpointPolicy.defaults());

    private final InMemoryChangeLog log = new InMemoryChangeLog();
    private final InMemoryStores.Checkpoints checkpoints = new InMemoryStores.Checkpoints();
    private final InMemoryStores.DeadLetters deadLetters = new InMemoryStores.DeadLetters();
    private final List<DeliveryEngine> engines = new ArrayList<>();
    /** "from>to" of every state change heard, and whether the engine's lock was free when it was. */
    private final List<String> heard = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopEngines() {
        engines.forEach(e -> e.stop(Duration.ZERO));
    }

    private DeliveryEngine engine(ScriptedSink sink, DeliveryPolicy policy) {
        DeliveryEngine[] engine = new DeliveryEngine[1];
        DeliveryObserver observer = new DeliveryObserver() {
            @Override
            public void stateChanged(String name, SinkState from, SinkState to) {
                heard.add(from + ">" + to + (DeliveryEngineTest.statsFromAnotherThread(engine[0]) ? "" : " under the lock"));
            }
        };
        engine[0] = new DeliveryEngine("test", log, List.of(new SinkBinding(sink, SinkFilter.all(), policy)), checkpoints, deadLetters,
                new EngineOptions(Duration.ofMillis(20), Duration.ofSeconds(5)), observer);
        engines.add(engine[0]);
        engine[0].start();
        return engine[0];
    }

    private void write(String prefix, int keys, int versions) {
        for (int v = 1; v <= versions; v++) {
            for (int k = 0; k < keys; k++) {
                log.append("b", prefix + k, v);
            }
        }
    }

    private static SinkStats stats(DeliveryEngine engine) {
        return engine.stats().sinks().get(0);
    }

    @Test
    void aSinkRefusingEveryKeyGoesDownIsProbedOneChangeAtATimeAndOnceBackGetsItsBacklogAtOnce() throws InterruptedException {
        ScriptedSink sink = new ScriptedSink("hooks");
        AtomicBoolean up = new AtomicBoolean();
        sink.script = c -> up.get() ? Ack.delivered() : Ack.retry("connection refused");
        write("k", 200, 3);
        DeliveryEngine engine = engine(sink, POLICY);

        await(() -> stats(engine).state() == SinkState.DOWN, "the sink to go down");
        // Batches handed over before it went down are recorded by now: the sink records a batch as it is handed one.
        int atDown = sink.batchSizes.size();
        write("new", 100, 1);
        await(() -> sink.batchSizes.size() >= atDown + 3, "three probes");
        List<Integer> whileDown = List.copyOf(sink.batchSizes.subList(atDown, sink.batchSizes.size()));
        assertThat(stats(engine).oldestUnsettledAge()).isPositive();
        up.set(true);

        await(() -> sink.delivered.size() == 700, "every change once the endpoint is back");

        assertThat(whileDown).as("batch sizes while down, new ready keys waiting").containsOnly(1);
        assertThat(sink.batchSizes.subList(atDown + whileDown.size(), sink.batchSizes.size()))
                .as("the backlog goes in full batches").contains(POLICY.batchSize());
        assertThat(sink.delivered).doesNotHaveDuplicates();
        assertOrderPerKey(sink.delivered);
        assertThat(deadLetters.letters).isEmpty();
        await(() -> checkpoints.covers("test") == 700, "the checkpoint to cover everything");
        SinkStats after = stats(engine);
        assertThat(after.state()).isEqualTo(SinkState.DELIVERING);
        assertThat(after.oldestUnsettledAge()).isZero();
        assertThat(heard).endsWith("DOWN>DELIVERING").contains("DEGRADED>DOWN").noneMatch(h -> h.endsWith("under the lock"));
    }

    @Test
    void changesThatFailOnTheirOwnDoNotKeepASinkDownOnceItsEndpointIsBack() throws InterruptedException {
        ScriptedSink sink = new ScriptedSink("hooks");
        AtomicBoolean up = new AtomicBoolean();
        sink.script = c -> up.get() && !c.id().startsWith("poison") ? Ack.delivered() : Ack.retry("500 Internal Server Error");
        write("poison", 20, 1);
        write("fine", 100, 1);
        DeliveryEngine engine = engine(sink, POLICY);
        await(() -> stats(engine).state() == SinkState.DOWN, "the sink to go down");

        up.set(true);

        // The oldest changes are the poison ones; after the first, probes are of keys at random, so a fine one is delivered soon.
        await(() -> sink.delivered.size() == 100, "every fine change, though the oldest waiting changes fail on their own");
        // Left alone, the poison keys look like an endpoint down again; what comes after still gets through.
        write("later", 10, 1);
        await(() -> sink.delivered.size() == 110, "the later changes too");
        assertThat(sink.delivered).noneSatisfy(c -> assertThat(c.id()).startsWith("poison"));
    }

    /** The endpoint is back while a probe is out, and the probe then fails (it was sent while down): its key does not wait for its schedule. */
    @Test
    void aProbeFailingAfterTheEndpointCameBackLeavesNoKeyWaiting() throws InterruptedException {
        ScriptedSink sink = new ScriptedSink("hooks");
        write("k", 10, 3);
        Change held = log.get(0);
        Change probed = log.get(1);
        CountDownLatch heldAnswer = new CountDownLatch(1);
        CountDownLatch probeAnswer = new CountDownLatch(1);
        AtomicBoolean up = new AtomicBoolean();
        sink.script = c -> {
            if (c.equals(held)) {
                awaitLatch(heldAnswer);
                return Ack.delivered();
            }
            if (c.equals(probed) && sink.attemptsOf(probed) == 2) {
                awaitLatch(probeAnswer);
                return Ack.retry("timed out");
            }
            return up.get() ? Ack.delivered() : Ack.retry("connection refused");
        };
        DeliveryEngine engine = engine(sink, POLICY.withBatch(1, Duration.ZERO));

        await(() -> stats(engine).state() == SinkState.DOWN && sink.attemptsOf(probed) == 2, "down, with a probe out");
        up.set(true);
        heldAnswer.countDown();
        await(() -> stats(engine).state() == SinkState.DELIVERING, "back by the held batch's delivery");
        probeAnswer.countDown();

        await(() -> sink.delivered.size() == 30, "every change, the probed key's too");
        assertOrderPerKey(sink.delivered);
        assertThat(deadLetters.letters).isEmpty();
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aPoisonKeyFailingAloneWhileOthersDeliverDoesNotTakeTheSinkDown() throws InterruptedException {
        ScriptedSink sink = new ScriptedSink("hooks");
        AtomicBoolean cured = new AtomicBoolean();
        sink.script = c -> c.id().equals("k0") && !cured.get() ? Ack.retry("500 Internal Server Error") : Ack.delivered();
        RetryPolicy quick = RetryPolicy.scheduled(List.of(Duration.ofMillis(10)), 1_000, Duration.ofHours(1));
        write("k", 20, 50);
        DeliveryEngine engine = engine(sink, POLICY.withRetry(quick));

        await(() -> sink.delivered.size() == 19 * 50, "every other key");
        Change poison = log.get(0);
        await(() -> sink.attemptsOf(poison) >= 4 * EndpointPolicy.defaults().downAfter(), "the poison key to fail on, alone");

        assertThat(stats(engine).state()).isEqualTo(SinkState.DEGRADED);
        assertThat(heard).noneMatch(h -> h.contains("DOWN"));
        cured.set(true);
        await(() -> sink.delivered.size() == 20 * 50, "the poison key once cured");
        assertOrderPerKey(sink.delivered);
    }

    /** With max-age far shorter than the outage, nothing it held is dead-lettered: its time does not count. */
    @Test
    void anOutageLongerThanMaxAgeDeadLettersNothing() throws InterruptedException {
        ScriptedSink sink = new ScriptedSink("hooks");
        AtomicBoolean up = new AtomicBoolean();
        AtomicReference<Change> failsOnceMore = new AtomicReference<>();
        sink.script = c -> {
            if (!up.get()) {
                return Ack.retry("503 Service Unavailable");
            }
            if (failsOnceMore.compareAndSet(c, null)) {
                return Ack.retry("502 Bad Gateway");
            }
            return Ack.delivered();
        };
        DeliveryPolicy shortLived = POLICY.withRetry(RetryPolicy.scheduled(List.of(Duration.ofMillis(20)), 1_000, Duration.ofMillis(300)))
                .withEndpoint(EndpointPolicy.defaults().withProbes(Duration.ofMillis(20), Duration.ofMillis(50))
                        .withDownAfterTime(Duration.ZERO))
                .withBatch(50, Duration.ofMillis(50));
        write("k", 20, 2);
        DeliveryEngine engine = engine(sink, shortLived);

        await(() -> stats(engine).state() == SinkState.DOWN, "the sink to go down");
        await(() -> stats(engine).oldestUnsettledAge().compareTo(Duration.ofMillis(1_500)) > 0, "an outage of five times max-age");
        // A change tried before the outage that fails once more after it: its age leaves the outage out, so it is retried.
        failsOnceMore.set(log.get(1));
        assertThat(sink.attemptsOf(log.get(1))).as("tried before the outage").isPositive();
        up.set(true);

        await(() -> sink.delivered.size() == 40, "every change once the endpoint is back");
        assertThat(failsOnceMore.get()).as("the 502 was answered").isNull();
        assertThat(deadLetters.letters).isEmpty();
        assertOrderPerKey(sink.delivered);
    }

    @Test
    void withOutagesCountedTheSameOutageDeadLettersWhatOutlivesMaxAge() throws InterruptedException {
        ScriptedSink sink = new ScriptedSink("hooks");
        sink.script = c -> Ack.retry("503 Service Unavailable");
        DeliveryPolicy counted = POLICY.withRetry(RetryPolicy.scheduled(List.of(Duration.ofMillis(20)), 1_000, Duration.ofMillis(300)))
                .withEndpoint(EndpointPolicy.defaults().withProbes(Duration.ofMillis(20), Duration.ofMillis(50))
                        .withDownAfterTime(Duration.ZERO).withCountOutages(true));
        write("k", 20, 2);
        DeliveryEngine engine = engine(sink, counted);

        await(() -> deadLetters.letters.size() == 40, "every change dead-lettered");

        assertThat(deadLetters.letters).extracting(DeadLetter::reason)
                .allSatisfy(reason -> assertThat(reason).startsWith("gave up after").contains("and PT0.3S"));
        assertThat(deadLetters.letters).extracting(DeadLetter::reason).anySatisfy(reason -> assertThat(reason)
                .endsWith("not sent, sink hooks is down: 503 Service Unavailable"));
        assertThat(stats(engine).deadLettered()).isEqualTo(40);
        assertThat(heard).contains("DEGRADED>DOWN");
    }
}
