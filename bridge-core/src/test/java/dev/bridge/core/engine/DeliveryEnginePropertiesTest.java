package dev.bridge.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bridge.core.Change;
import dev.bridge.core.DeadLetter;
import dev.bridge.core.port.Ack;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;

class DeliveryEnginePropertiesTest {

    private static final RetryPolicy RETRY = RetryPolicy.exponential(Duration.ofMillis(1), Duration.ofMillis(8), 4, Duration.ofMinutes(1));

    @Property(tries = 40)
    void orderPerKeyHoldsWhateverTheParallelismBatchingAndFailures(
            @ForAll @IntRange(min = 1, max = 40) int keys,
            @ForAll @IntRange(min = 1, max = 25) int versions,
            @ForAll @IntRange(min = 1, max = 8) int parallelism,
            @ForAll @IntRange(min = 1, max = 64) int batchSize,
            @ForAll @IntRange(min = 0, max = 3) int lingerMillis,
            @ForAll @IntRange(min = 0, max = 30) int failurePercent,
            @ForAll long seed) throws InterruptedException {
        InMemoryChangeLog log = new InMemoryChangeLog();
        for (int v = 1; v <= versions; v++) {
            for (int k = 0; k < keys; k++) {
                log.append("b", "k" + k, v);
            }
        }
        ScriptedSink sink = new ScriptedSink("s");
        Random random = new Random(seed);
        sink.script = c -> {
            synchronized (random) {
                return random.nextInt(100) < failurePercent ? Ack.retry("flaky") : Ack.delivered();
            }
        };
        DeliveryPolicy policy = new DeliveryPolicy(parallelism, batchSize, Duration.ofMillis(lingerMillis), 10_000, 64L << 20,
                Duration.ofSeconds(30), RetryPolicy.exponential(Duration.ofMillis(1), Duration.ofMillis(4), 1_000, Duration.ofMinutes(1)),
                EndpointPolicy.defaults());
        InMemoryStores.Checkpoints checkpoints = new InMemoryStores.Checkpoints();
        DeliveryEngine engine = new DeliveryEngine("p", log, List.of(new SinkBinding(sink, SinkFilter.all(), policy)), checkpoints,
                new InMemoryStores.DeadLetters(), new EngineOptions(Duration.ofMillis(10), Duration.ofSeconds(5)), DeliveryObserver.NONE);
        engine.start();
        try {
            DeliveryEngineTest.await(() -> checkpoints.covers("p") == keys * versions, "everything settled");
        } finally {
            engine.stop(Duration.ZERO);
        }

        assertThat(sink.delivered).hasSize(keys * versions);
        DeliveryEngineTest.assertOrderPerKey(sink.delivered);
        assertThat(sink.maxConcurrentBatches.get()).isLessThanOrEqualTo(parallelism);
    }

    @Property(tries = 30)
    @StatisticsReport(onFailureOnly = true)
    void theCheckpointNeverPassesAnUnsettledChangeAndARestartLosesNothing(
            @ForAll @IntRange(min = 2, max = 30) int keys,
            @ForAll @IntRange(min = 2, max = 30) int versions,
            @ForAll @IntRange(min = 1, max = 99) int crashAtPercent,
            @ForAll long seed) throws InterruptedException {
        InMemoryChangeLog log = new InMemoryChangeLog();
        for (int v = 1; v <= versions; v++) {
            for (int k = 0; k < keys; k++) {
                log.append("b", "k" + k, v);
            }
        }
        int total = keys * versions;
        Random random = new Random(seed);
        ScriptedSink fast = new ScriptedSink("fast");
        ScriptedSink erratic = new ScriptedSink("erratic");
        erratic.script = c -> {
            int roll;
            synchronized (random) {
                roll = random.nextInt(100);
            }
            if (roll < 3) {
                DeliveryEngineTest.sleep(1);
            }
            return roll < 15 ? Ack.retry("flaky") : roll < 18 ? Ack.failed("poison") : Ack.delivered();
        };
        InMemoryStores.Checkpoints checkpoints = new InMemoryStores.Checkpoints();
        InMemoryStores.DeadLetters deadLetters = new InMemoryStores.DeadLetters();
        DeliveryPolicy policy = new DeliveryPolicy(3, 16, Duration.ofMillis(1), 64, 64L << 20, Duration.ofSeconds(30), RETRY,
                EndpointPolicy.defaults());
        DeliveryEngine first = new DeliveryEngine("c", log,
                List.of(new SinkBinding(fast, SinkFilter.all(), policy), new SinkBinding(erratic, SinkFilter.all(), policy)),
                checkpoints, deadLetters, new EngineOptions(Duration.ofMillis(3), Duration.ofSeconds(5)), DeliveryObserver.NONE);
        first.start();
        // Crash once a random share of the stream has reached the fast sink, whatever the machine's speed.
        int progress = total * crashAtPercent / 100;
        DeliveryEngineTest.await(() -> fast.delivered.size() >= progress, "progress before the crash");
        Thread.sleep(random.nextInt(4));

        // The crash point: whatever a sink's checkpoint covers must already be settled at that sink.
        int coveredErratic = checkpoints.covers("c", "erratic");
        int coveredFast = checkpoints.covers("c", "fast");
        Statistics.label("crash point").collect(coveredErratic == 0 ? "before any checkpoint" : coveredErratic == total ? "after everything"
                : "mid-stream");
        Set<Long> settledFast = seqs(fast.delivered);
        Set<Long> settledErratic = seqs(erratic.delivered);
        deadLetters.letters.stream().filter(l -> l.sink().equals("erratic")).map(DeadLetter::change).map(Change::seq)
                .forEach(settledErratic::add);
        for (long seq = 1; seq <= coveredFast; seq++) {
            assertThat(settledFast).as("fast sink, seq %d under its checkpoint %d", seq, coveredFast).contains(seq);
        }
        for (long seq = 1; seq <= coveredErratic; seq++) {
            assertThat(settledErratic).as("erratic sink, seq %d under its checkpoint %d", seq, coveredErratic).contains(seq);
        }
        first.stop(Duration.ZERO);
        int resumeFrom = checkpoints.covers("c", "fast");
        assertThat(resumeFrom).isGreaterThanOrEqualTo(coveredFast);
        assertThat(checkpoints.covers("c", "erratic")).isGreaterThanOrEqualTo(coveredErratic);

        ScriptedSink fastAgain = new ScriptedSink("fast");
        ScriptedSink erraticAgain = new ScriptedSink("erratic");
        DeliveryEngine second = new DeliveryEngine("c", log,
                List.of(new SinkBinding(fastAgain, SinkFilter.all(), policy), new SinkBinding(erraticAgain, SinkFilter.all(), policy)),
                checkpoints, deadLetters, new EngineOptions(Duration.ofMillis(3), Duration.ofSeconds(5)), DeliveryObserver.NONE);
        second.start();
        try {
            DeliveryEngineTest.await(() -> checkpoints.covers("c", "fast") == total && checkpoints.covers("c", "erratic") == total,
                    "the restart to settle everything");
        } finally {
            second.stop(Duration.ZERO);
        }

        assertThat(seqs(fastAgain.delivered)).allSatisfy(seq -> assertThat(seq).isGreaterThan(resumeFrom));
        Set<Long> fastAll = seqs(fast.delivered);
        fastAll.addAll(seqs(fastAgain.delivered));
        assertThat(fastAll).hasSize(total);
        Set<Long> erraticAll = seqs(erratic.delivered);
        erraticAll.addAll(seqs(erraticAgain.delivered));
        deadLetters.letters.stream().filter(l -> l.sink().equals("erratic")).map(l -> l.change().seq()).forEach(erraticAll::add);
        assertThat(erraticAll).hasSize(total);
        Statistics.label("crash point").coverage(check -> check.check("mid-stream").count(n -> n >= 3));
    }

    private static Set<Long> seqs(List<Change> changes) {
        return changes.stream().map(Change::seq).collect(Collectors.toCollection(HashSet::new));
    }
}
