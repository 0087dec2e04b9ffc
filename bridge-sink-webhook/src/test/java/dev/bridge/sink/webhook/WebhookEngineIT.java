package dev.bridge.sink.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bridge.core.Change;
import dev.bridge.core.DeadLetter;
import dev.bridge.core.engine.DeadLetterReplay;
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
import dev.bridge.core.port.Ack;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The sink under the real delivery engine, with a compressed retry schedule, against real HTTP servers. */
@Timeout(120)
class WebhookEngineIT {

    private static final String SECRET = WebhookSinkContractIT.SECRET;
    /** The default schedule's shape (immediately, then growing waits), in milliseconds instead of minutes and hours. */
    private static final RetryPolicy COMPRESSED = new RetryPolicy(Duration.ofMillis(10), Duration.ofMillis(400),
            List.of(Duration.ofMillis(5), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400)),
            10_000, Duration.ofMinutes(2));
    private static final DeliveryPolicy POLICY = new DeliveryPolicy(4, 20, Duration.ofMillis(2), 10_000, 64L << 20,
            Duration.ofSeconds(30), COMPRESSED, EndpointPolicy.defaults());

    private final InMemoryChangeLog log = new InMemoryChangeLog();
    private final InMemoryStores.Checkpoints checkpoints = new InMemoryStores.Checkpoints();
    private final InMemoryStores.DeadLetters deadLetters = new InMemoryStores.DeadLetters();
    private final List<DeliveryEngine> engines = new ArrayList<>();
    private final List<TestReceiver> receivers = new ArrayList<>();

    @AfterEach
    void stop() {
        engines.forEach(e -> e.stop(Duration.ofSeconds(2)));
        receivers.forEach(TestReceiver::close);
    }

    private TestReceiver receiver() {
        TestReceiver receiver = new TestReceiver(SECRET);
        receivers.add(receiver);
        return receiver;
    }

    private static SinkBinding webhook(String name, TestReceiver receiver, Duration timeout) {
        return new SinkBinding(WebhookSinkProvider.sink(name, WebhookSinkOptions.to(receiver.url()).signedWith(SECRET)
                .withTimeouts(timeout, Duration.ofSeconds(2)).withMaxInFlight(8)), SinkFilter.all(), POLICY);
    }

    private DeliveryEngine engine(SinkBinding... sinks) {
        DeliveryEngine engine = new DeliveryEngine("webhook-it", log, List.of(sinks), checkpoints, deadLetters,
                new EngineOptions(Duration.ofMillis(20), Duration.ofSeconds(5)), DeliveryObserver.NONE);
        engines.add(engine);
        engine.start();
        return engine;
    }

    private void write(int keys, int versions) {
        for (int v = 1; v <= versions; v++) {
            for (int k = 0; k < keys; k++) {
                log.append("orders", "k" + k, v);
            }
        }
    }

    @Test
    void endpointDownForAWhileThenBackGetsEveryChangeInOrderPerKey() throws InterruptedException {
        TestReceiver receiver = receiver();
        long backAt = System.currentTimeMillis() + 1500;
        receiver.answer(r -> {
            if (System.currentTimeMillis() < backAt) {
                return TestReceiver.Answer.status(r.changes().get(0).seq() % 2 == 0 ? 503 : 500);
            }
            // Back, but flaky: one request in seven fails once more.
            return TestReceiver.Answer.status(r.changes().get(0).seq() % 7 == 0 && r.receivedAtMillis() % 2 == 0 ? 502 : 204);
        });
        engine(webhook("down-then-up", receiver, Duration.ofSeconds(5)));

        write(10, 30);
        await(() -> receiver.accepted().size() >= 300, "300 changes accepted by the endpoint");

        List<Change> accepted = receiver.accepted();
        assertThat(accepted).extracting(Change::seq).doesNotHaveDuplicates().hasSize(300);
        Map<String, List<Long>> versionsByKey = accepted.stream()
                .collect(Collectors.groupingBy(Change::id, LinkedHashMap::new, Collectors.mapping(Change::version, Collectors.toList())));
        assertThat(versionsByKey).hasSize(10);
        List<Long> oneToThirty = java.util.stream.LongStream.rangeClosed(1, 30).boxed().toList();
        versionsByKey.forEach((key, versions) -> assertThat(versions).as("versions of %s in arrival order", key).isEqualTo(oneToThirty));
        List<TestReceiver.Received> all = receiver.received();
        assertThat(all.size()).as("requests, failed ones included").isGreaterThan(300);
        assertThat(all).allSatisfy(r -> {
            assertThat(r.signatureValid()).as("signature of %s", r.id()).isTrue();
            assertThat(r.id()).as("webhook-id of every attempt").isEqualTo("msg_" + r.changes().get(0).seq());
        });
        assertThat(deadLetters.letters).isEmpty();
        await(() -> checkpoints.covers("webhook-it") == 300, "the checkpoint to cover every change");
    }

    /** Core's replay use case against a real receiver: a letter it refuses stays, one it takes leaves the store. */
    @Test
    void deadLetterReplayRemovesOnlyTheLettersTheReceiverTook() {
        TestReceiver receiver = receiver();
        receiver.answer(r -> TestReceiver.Answer.status(r.changes().get(0).id().equals("refused") ? 503 : 204));
        DeadLetter taken = deadLetters.add("hooks", log.append("orders", "taken", 1), "endpoint was down", 8);
        DeadLetter refused = deadLetters.add("hooks", log.append("orders", "refused", 1), "endpoint was down", 8);
        List<DeadLetterReplay.Outcome> heard = new ArrayList<>();

        int replayed = new DeadLetterReplay(deadLetters, List.of(webhook("hooks", receiver, Duration.ofSeconds(5))))
                .replay(java.util.Optional.empty(), java.util.Set.of(), 100, heard::add);

        assertThat(replayed).isEqualTo(1);
        assertThat(deadLetters.letters).containsExactly(refused);
        assertThat(heard).hasSize(2);
        assertThat(heard.get(0)).isEqualTo(new DeadLetterReplay.Outcome.Replayed(taken));
        assertThat(heard.get(1)).isInstanceOfSatisfying(DeadLetterReplay.Outcome.NotDelivered.class,
                n -> assertThat(((Ack.Retry) n.ack()).reason()).contains("503"));
        assertThat(receiver.received()).allSatisfy(r -> assertThat(r.signatureValid()).isTrue()).hasSize(2);
    }

    @Test
    void aSlowEndpointDoesNotSlowASecondOne() throws InterruptedException {
        TestReceiver slow = receiver();
        TestReceiver fast = receiver();
        slow.answer(r -> TestReceiver.Answer.status(204).after(Duration.ofSeconds(2)));
        engine(webhook("slow", slow, Duration.ofSeconds(10)), webhook("fast", fast, Duration.ofSeconds(10)));
        Instant start = Instant.now();

        write(10, 5);
        await(() -> fast.accepted().size() >= 50, "50 changes at the fast endpoint");

        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(2));
        assertThat(slow.accepted()).isEmpty();
        await(() -> slow.accepted().size() >= 8, "the slow endpoint's first answers (its limit is 8 at once)");
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }
}
