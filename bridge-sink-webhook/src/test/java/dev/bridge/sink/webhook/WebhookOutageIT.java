package dev.bridge.sink.webhook;

import static dev.bridge.sink.webhook.WebhookEngineIT.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bridge.core.Change;
import dev.bridge.core.engine.DeliveryEngine;
import dev.bridge.core.engine.DeliveryObserver;
import dev.bridge.core.engine.DeliveryPolicy;
import dev.bridge.core.engine.EndpointPolicy;
import dev.bridge.core.engine.EngineOptions;
import dev.bridge.core.engine.InMemoryChangeLog;
import dev.bridge.core.engine.InMemoryStores;
import dev.bridge.core.engine.RetryPolicy;
import dev.bridge.core.engine.SinkBinding;
import dev.bridge.core.engine.SinkFilter;
import dev.bridge.core.engine.SinkState;
import dev.bridge.core.engine.SinkStats;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A receiver that is down in each way an endpoint goes down, under the real engine: the sink goes
 * DOWN, and once the receiver is healthy again every change arrives, in order per key, none
 * dead-lettered. The retry schedule is of minutes, so a change that waited for its own retry would
 * time the test out: the backlog goes because the sink came back, not because retries came due.
 */
@Timeout(120)
class WebhookOutageIT {

    private static final String SECRET = WebhookSinkContractIT.SECRET;
    private static final int KEYS = 30;
    private static final int VERSIONS = 10;
    private static final DeliveryPolicy POLICY = new DeliveryPolicy(4, 20, Duration.ofMillis(2), 10_000, 64L << 20,
            Duration.ofSeconds(30), RetryPolicy.scheduled(List.of(Duration.ofMinutes(5)), 8, Duration.ofHours(1)),
            EndpointPolicy.defaults());

    private final InMemoryChangeLog log = new InMemoryChangeLog();
    private final InMemoryStores.Checkpoints checkpoints = new InMemoryStores.Checkpoints();
    private final InMemoryStores.DeadLetters deadLetters = new InMemoryStores.DeadLetters();
    private final TestReceiver receiver = new TestReceiver(SECRET);
    private DeliveryEngine engine;

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.stop(Duration.ofSeconds(2));
        }
        receiver.close();
    }

    private void start() {
        SinkBinding hooks = new SinkBinding(WebhookSinkProvider.sink("hooks", WebhookSinkOptions.to(receiver.url()).signedWith(SECRET)
                .withTimeouts(Duration.ofMillis(500), Duration.ofMillis(500)).withMaxInFlight(8)), SinkFilter.all(), POLICY);
        engine = new DeliveryEngine("outage-it", log, List.of(hooks), checkpoints, deadLetters,
                new EngineOptions(Duration.ofMillis(20), Duration.ofSeconds(5)), DeliveryObserver.NONE);
        engine.start();
        for (int v = 1; v <= VERSIONS; v++) {
            for (int k = 0; k < KEYS; k++) {
                log.append("orders", "k" + k, v);
            }
        }
    }

    private SinkState state() {
        return engine.stats().sinks().get(0).state();
    }

    /** Waits until the sink has been down for {@code atLeast}, so that probes have failed; returns since when it is. */
    private Instant awaitDownFor(Duration atLeast, String what) throws InterruptedException {
        await(() -> {
            SinkStats stats = engine.stats().sinks().get(0);
            return stats.state() == SinkState.DOWN && Duration.between(stats.stateSince(), Instant.now()).compareTo(atLeast) > 0;
        }, what);
        return engine.stats().sinks().get(0).stateSince();
    }

    @Test
    void aStoppedReceiverTakesTheSinkDownAndOnceListeningAgainGetsEverything() throws InterruptedException {
        receiver.shutDown();
        start();
        awaitDownFor(Duration.ofMillis(2_500), "the sink to go down on refused connections");
        assertThat(receiver.received()).isEmpty();

        receiver.restart();

        assertEverythingArrivesInOrder();
    }

    @Test
    void aReceiverAnswering503TakesTheSinkDownAndOnceHealthyGetsEverything() throws InterruptedException {
        receiver.answer(r -> TestReceiver.Answer.status(503));
        start();
        Instant downSince = awaitDownFor(Duration.ofMillis(2_500), "the sink to go down on 503s");
        // The batches out when it went down are answered within the first second; after that only probes go.
        List<TestReceiver.Received> probes = receiver.received().stream()
                .filter(r -> r.receivedAtMillis() > downSince.toEpochMilli() + 1_000).toList();
        // Nothing was delivered, so each probe is one change alone, the first of its key.
        assertThat(probes).as("probes").isNotEmpty()
                .allSatisfy(r -> assertThat(r.changes()).extracting(Change::version).as("one change, its key's first").containsExactly(1L));

        receiver.answer(r -> TestReceiver.Answer.status(204));

        assertEverythingArrivesInOrder();
    }

    @Test
    void aReceiverThatNeverAnswersTakesTheSinkDownAndOnceHealthyGetsEverything() throws InterruptedException {
        receiver.answer(r -> TestReceiver.Answer.status(204).after(Duration.ofMinutes(10)));
        start();
        awaitDownFor(Duration.ofMillis(2_500), "the sink to go down on timeouts");
        assertThat(receiver.accepted()).isEmpty();

        receiver.answer(r -> TestReceiver.Answer.status(204));

        assertEverythingArrivesInOrder();
    }

    private void assertEverythingArrivesInOrder() throws InterruptedException {
        await(() -> receiver.accepted().size() >= KEYS * VERSIONS, "every change at the receiver");
        await(() -> state() == SinkState.DELIVERING, "the sink to be delivering");
        List<Change> accepted = receiver.accepted();
        assertThat(accepted).extracting(Change::seq).doesNotHaveDuplicates().hasSize(KEYS * VERSIONS);
        Map<String, List<Long>> versionsByKey = accepted.stream()
                .collect(Collectors.groupingBy(Change::id, LinkedHashMap::new, Collectors.mapping(Change::version, Collectors.toList())));
        List<Long> inOrder = LongStream.rangeClosed(1, VERSIONS).boxed().toList();
        assertThat(versionsByKey).hasSize(KEYS);
        versionsByKey.forEach((key, versions) -> assertThat(versions).as("versions of %s in arrival order", key).isEqualTo(inOrder));
        assertThat(deadLetters.letters).isEmpty();
        await(() -> checkpoints.covers("outage-it") == KEYS * VERSIONS, "the checkpoint to cover every change");
    }
}
