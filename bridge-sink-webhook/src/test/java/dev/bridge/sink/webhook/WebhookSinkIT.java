package dev.bridge.sink.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import dev.bridge.core.Change;
import dev.bridge.core.Json;
import dev.bridge.core.Op;
import dev.bridge.core.port.Ack;
import dev.bridge.core.port.ChangeSink;
import dev.bridge.sink.tck.RecordingAcknowledger;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each response class, signatures, ids, headers and limits against a real HTTP server. */
@Timeout(60)
class WebhookSinkIT {

    private static final String OLD_SECRET = "whsec_" + Base64.getEncoder().encodeToString(new byte[32]);
    private static final String NEW_SECRET = WebhookSinkContractIT.SECRET;
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final AtomicLong seq = new AtomicLong(500);
    private final TestReceiver receiver = new TestReceiver(NEW_SECRET);
    private final List<ChangeSink> sinks = new ArrayList<>();

    @AfterEach
    void stop() {
        sinks.forEach(ChangeSink::stop);
        receiver.close();
    }

    private ChangeSink sink(URI url, Map<String, String> headers, List<String> secrets, Duration timeout, int maxInFlight) {
        ChangeSink sink = WebhookSinkProvider.sink("it", new WebhookSinkOptions(url, headers, secrets, timeout, Duration.ofSeconds(2),
                maxInFlight, false, java.util.Optional.empty(), 1L << 20));
        sink.start();
        sinks.add(sink);
        return sink;
    }

    private ChangeSink sink() {
        return sink(receiver.url(), Map.of(), List.of(NEW_SECRET), Duration.ofSeconds(5), 8);
    }

    private Change change(String id, long version) {
        return new Change(Op.UPDATE, "orders", id, version, Instant.parse("2026-11-24T10:00:00Z"), Json.parse("{\"v\":" + version + "}"),
                null, seq.incrementAndGet());
    }

    private static List<Ack> deliver(ChangeSink sink, List<Change> batch) {
        RecordingAcknowledger acks = new RecordingAcknowledger(batch);
        sink.deliver(batch, acks);
        List<Ack> all = acks.awaitAll(WAIT);
        acks.assertNoViolations();
        return all;
    }

    private static Ack deliverOne(ChangeSink sink, Change change) {
        return deliver(sink, List.of(change)).get(0);
    }

    @Test
    void aSinkServesOneEngineOnceSoASecondStartIsRefused() {
        ChangeSink sink = sink();
        assertThatThrownBy(sink::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("was started before; a sink serves one engine, once");
    }

    @Test
    void signsWithEverySecretAndSendsTheHeaders() {
        ChangeSink sink = sink(receiver.url(), Map.of("Authorization", "Bearer t0ken", "X-Team", "billing"),
                List.of(OLD_SECRET, NEW_SECRET), Duration.ofSeconds(5), 4);
        Change change = change("1", 1);
        long before = Instant.now().getEpochSecond();

        assertThat(deliverOne(sink, change)).isSameAs(Ack.delivered());

        TestReceiver.Received got = receiver.received().get(0);
        assertThat(got.signatureValid()).isTrue();
        assertThat(got.signature().split(" ")).hasSize(2).allMatch(s -> s.startsWith("v1,"));
        assertThat(got.id()).isEqualTo("msg_" + change.seq());
        assertThat(Long.parseLong(got.timestamp())).isBetween(before, Instant.now().getEpochSecond());
        assertThat(got.header("Authorization")).isEqualTo("Bearer t0ken");
        assertThat(got.header("X-Team")).isEqualTo("billing");
        assertThat(got.header("Content-Type")).isEqualTo("application/json");
        assertThat(got.changes()).containsExactly(change);
    }

    @Test
    void theIdStaysTheSameAcrossRetriesWhileTheSignatureIsFresh() throws InterruptedException {
        ChangeSink sink = sink();
        AtomicInteger calls = new AtomicInteger();
        receiver.answer(r -> TestReceiver.Answer.status(calls.incrementAndGet() < 3 ? 500 : 200));
        Change change = change("1", 1);

        assertThat(deliverOne(sink, change)).isInstanceOf(Ack.Retry.class);
        Thread.sleep(1100);
        assertThat(deliverOne(sink, change)).isInstanceOf(Ack.Retry.class);
        assertThat(deliverOne(sink, change)).isSameAs(Ack.delivered());

        List<TestReceiver.Received> got = receiver.received();
        assertThat(got).hasSize(3).allMatch(TestReceiver.Received::signatureValid);
        assertThat(got).extracting(TestReceiver.Received::id).containsOnly("msg_" + change.seq());
        assertThat(got.get(1).timestamp()).isNotEqualTo(got.get(0).timestamp());
    }

    @Test
    void retryAfterInSecondsAndAsADateIsHonouredFor429And503() {
        ChangeSink sink = sink();
        receiver.answer(r -> TestReceiver.Answer.status(429).withHeader("Retry-After", "30"));
        Instant before = Instant.now();

        Ack.Retry limited = (Ack.Retry) deliverOne(sink, change("1", 1));

        assertThat(limited.notBefore()).hasValueSatisfying(at -> assertThat(at).isBetween(before.plusSeconds(29), Instant.now().plusSeconds(31)));
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.now().plusSeconds(600).atZone(ZoneOffset.UTC));
        receiver.answer(r -> TestReceiver.Answer.status(503).withHeader("Retry-After", date));
        Ack.Retry unavailable = (Ack.Retry) deliverOne(sink, change("2", 1));
        assertThat(unavailable.notBefore()).isPresent();
        assertThat(unavailable.notBefore().get()).isAfter(Instant.now().plusSeconds(590));
    }

    @Test
    void transientStatusesAreRetried() {
        ChangeSink sink = sink();
        for (int status : new int[] {408, 425, 500, 502, 504}) {
            receiver.answer(r -> TestReceiver.Answer.status(status));
            assertThat(deliverOne(sink, change("s" + status, 1))).as("status %d", status).isInstanceOf(Ack.Retry.class);
        }
    }

    @Test
    void otherRefusalsFailWithTheStatusAndTheStartOfTheBody() {
        ChangeSink sink = sink();
        receiver.answer(r -> TestReceiver.Answer.status(422).withBody("{\"error\":\"unknown bucket\"}" + "y".repeat(5000)));

        Ack ack = deliverOne(sink, change("1", 1));

        assertThat(ack).isInstanceOf(Ack.Failed.class);
        assertThat(((Ack.Failed) ack).reason()).startsWith(receiver.url() + " answered 422: {\"error\":\"unknown bucket\"}yyy")
                .hasSizeLessThan(400);
    }

    @Test
    void aBodyThatNeverEndsAfter2xxIsDeliveredAndCutSoTheNextRequestsGoOut() throws InterruptedException {
        ChangeSink sink = sink(receiver.url(), Map.of(), List.of(NEW_SECRET), Duration.ofSeconds(1), 1);
        receiver.answer(r -> TestReceiver.Answer.status(200).withEndlessBody());
        long started = System.nanoTime();
        List<Ack> acks = deliver(sink, List.of(change("1", 1), change("2", 1), change("3", 1)));

        assertThat(acks).as("answered 200: delivered, whatever the body does").containsOnly(Ack.delivered());
        assertThat(receiver.received()).hasSize(3);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("each body cut within the timeout").isLessThan(Duration.ofSeconds(8));
        eventually(() -> receiver.streaming() == 0, "the client never cut the endless bodies");
    }

    @Test
    void aRefusalWhoseBodyNeverEndsIsCutAtTheDeadlineAndRetried() throws InterruptedException {
        ChangeSink sink = sink(receiver.url(), Map.of(), List.of(NEW_SECRET), Duration.ofSeconds(1), 1);
        receiver.answer(r -> TestReceiver.Answer.status(503).withEndlessBody());
        long started = System.nanoTime();

        Ack ack = deliverOne(sink, change("1", 1));

        assertThat(ack).isInstanceOf(Ack.Retry.class);
        assertThat(((Ack.Retry) ack).reason()).contains("answered 503");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        receiver.answer(r -> TestReceiver.Answer.status(204));
        assertThat(deliverOne(sink, change("2", 1))).as("the permit came back").isSameAs(Ack.delivered());
        eventually(() -> receiver.streaming() == 0, "the client never cut the endless body");
    }

    @Test
    void noRequestGoesOutOnceTheEndpointAnswered410() {
        for (int maxInFlight : new int[] {1, 4}) {
            receiver.clear();
            ChangeSink sink = sink(receiver.url(), Map.of(), List.of(NEW_SECRET), Duration.ofSeconds(5), maxInFlight);
            receiver.answer(r -> TestReceiver.Answer.status(410));
            List<Change> changes = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                changes.add(change("g" + maxInFlight + "-" + i, 1));
            }
            assertThat(deliver(sink, changes)).allSatisfy(ack -> assertThat(ack).isInstanceOf(Ack.Failed.class));
            assertThat(receiver.received()).as("requests with %d at once", maxInFlight).hasSizeLessThanOrEqualTo(maxInFlight);
        }
    }

    @Test
    void aChangeTooLargeToSendFailsWithoutARequestAndALargeBatchGoesInSeveral() {
        ChangeSink single = WebhookSinkProvider.sink("small", new WebhookSinkOptions(receiver.url(), Map.of(), List.of(NEW_SECRET),
                Duration.ofSeconds(5), Duration.ofSeconds(2), 4, false, java.util.Optional.empty(), 4096));
        single.start();
        sinks.add(single);
        Change big = new Change(Op.INSERT, "orders", "big", 1, Instant.parse("2026-11-24T10:00:00Z"),
                Json.parse("{\"s\":\"" + "é".repeat(3000) + "\"}"), null, seq.incrementAndGet());
        Change small = change("small", 1);

        List<Ack> acks = deliver(single, List.of(big, small));
        assertThat(acks.get(0)).isInstanceOf(Ack.Failed.class);
        assertThat(((Ack.Failed) acks.get(0)).reason()).contains("more than the sink's max-request-bytes (4096)");
        assertThat(acks.get(1)).isSameAs(Ack.delivered());
        assertThat(receiver.received()).extracting(TestReceiver.Received::id).containsExactly("msg_" + small.seq());

        receiver.clear();
        ChangeSink batched = WebhookSinkProvider.sink("batched", new WebhookSinkOptions(receiver.url(), Map.of(), List.of(NEW_SECRET),
                Duration.ofSeconds(5), Duration.ofSeconds(2), 4, true, java.util.Optional.empty(), 4096));
        batched.start();
        sinks.add(batched);
        List<Change> batch = new ArrayList<>();
        // One object's changes: the requests they are split into must arrive one after the other, in order.
        for (int i = 0; i < 12; i++) {
            batch.add(new Change(i == 0 ? Op.INSERT : Op.UPDATE, "orders", "b", i + 1, Instant.parse("2026-11-24T10:00:00Z"),
                    Json.parse("{\"s\":\"" + "x".repeat(900) + "\"}"), null, seq.incrementAndGet()));
        }
        batch.add(big);
        List<Ack> batchAcks = deliver(batched, batch);
        assertThat(batchAcks.subList(0, 12)).containsOnly(Ack.delivered());
        assertThat(batchAcks.get(12)).isInstanceOf(Ack.Failed.class);
        assertThat(receiver.received()).hasSizeGreaterThan(2).allSatisfy(r -> assertThat(r.body().length).isLessThanOrEqualTo(4096));
        assertThat(receiver.accepted()).extracting(Change::seq)
                .containsExactlyElementsOf(batch.subList(0, 12).stream().map(Change::seq).toList());
        assertThat(receiver.received()).extracting(TestReceiver.Received::id).doesNotHaveDuplicates();
    }

    @Test
    void aBatchPartToBeRetriedHoldsBackThePartsAfterIt() {
        ChangeSink batched = WebhookSinkProvider.sink("batched", new WebhookSinkOptions(receiver.url(), Map.of(), List.of(NEW_SECRET),
                Duration.ofSeconds(5), Duration.ofSeconds(2), 4, true, java.util.Optional.empty(), 4096));
        batched.start();
        sinks.add(batched);
        receiver.answer(r -> TestReceiver.Answer.status(503));
        List<Change> batch = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            batch.add(new Change(Op.UPDATE, "orders", "r", i + 1, Instant.parse("2026-11-24T10:00:00Z"),
                    Json.parse("{\"s\":\"" + "x".repeat(900) + "\"}"), null, seq.incrementAndGet()));
        }

        List<Ack> acks = deliver(batched, batch);

        assertThat(acks).allSatisfy(ack -> assertThat(ack).isInstanceOf(Ack.Retry.class));
        assertThat(receiver.received()).as("only the first part was sent").hasSize(1);
        assertThat(((Ack.Retry) acks.get(11)).reason()).contains("the request before it", "is to be retried");
    }

    /** Polls a condition, for states that settle shortly after the acknowledgements. */
    private static void eventually(java.util.function.BooleanSupplier condition, String failure) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(failure).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void goneDisablesTheEndpointUntilTheConfigurationChanges() {
        WebhookSink sink = (WebhookSink) sink();
        receiver.answer(r -> TestReceiver.Answer.status(410));

        assertThat(deliverOne(sink, change("1", 1))).isInstanceOf(Ack.Failed.class);
        receiver.answer(r -> TestReceiver.Answer.status(204));
        List<Ack> later = deliver(sink, List.of(change("2", 1), change("2", 2), change("3", 1)));

        assertThat(later).allSatisfy(ack -> assertThat(((Ack.Failed) ack).reason()).contains("410 Gone", "disabled"));
        assertThat(receiver.received()).hasSize(1);
        assertThat(sink.disabled()).isTrue();
        assertThat(sink.counters()).containsEntry("gone_dead_lettered", 4L).containsEntry("requests", 1L)
                .containsEntry("responses_4xx", 1L);
        ChangeSink reconfigured = sink();
        assertThat(deliverOne(reconfigured, change("4", 1))).isSameAs(Ack.delivered());
    }

    @Test
    void countsEachRequestByOutcome() throws IOException {
        ChangeSink sink = sink(receiver.url(), Map.of(), List.of(NEW_SECRET), Duration.ofMillis(500), 8);
        receiver.answer(r -> switch (r.changes().get(0).id()) {
            case "moved" -> TestReceiver.Answer.status(301).withHeader("Location", "/elsewhere");
            case "bad" -> TestReceiver.Answer.status(422);
            case "busy" -> TestReceiver.Answer.status(503);
            case "slow" -> TestReceiver.Answer.status(204).after(Duration.ofSeconds(2));
            default -> TestReceiver.Answer.status(204);
        });

        deliver(sink, List.of(change("ok", 1), change("ok", 2), change("moved", 1), change("bad", 1), change("busy", 1), change("slow", 1)));
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        ChangeSink unreachable = sink(URI.create("http://127.0.0.1:" + port + "/hook"), Map.of(), List.of(NEW_SECRET), Duration.ofSeconds(2), 4);
        deliverOne(unreachable, change("lost", 1));

        assertThat(sink.counters()).containsExactly(entry("requests", 6L), entry("responses_2xx", 2L), entry("responses_3xx", 1L),
                entry("responses_4xx", 1L), entry("responses_5xx", 1L), entry("timeouts", 1L), entry("network_errors", 0L),
                entry("gone_dead_lettered", 0L));
        assertThat(unreachable.counters()).containsEntry("requests", 1L).containsEntry("network_errors", 1L);
    }

    @Test
    void aTimeoutIsRetried() {
        ChangeSink sink = sink(receiver.url(), Map.of(), List.of(NEW_SECRET), Duration.ofMillis(300), 4);
        receiver.answer(r -> TestReceiver.Answer.status(200).after(Duration.ofSeconds(2)));

        Ack ack = deliverOne(sink, change("1", 1));

        assertThat(((Ack.Retry) ack).reason()).contains("timed out");
    }

    @Test
    void aRefusedConnectionIsRetried() throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        ChangeSink sink = sink(URI.create("http://127.0.0.1:" + port + "/hook"), Map.of(), List.of(NEW_SECRET), Duration.ofSeconds(2), 4);

        Ack ack = deliverOne(sink, change("1", 1));

        assertThat(((Ack.Retry) ack).reason()).startsWith("POST to http://127.0.0.1:" + port + "/hook ");
    }

    @Test
    void noMoreRequestsAtOnceThanTheLimit() {
        ChangeSink sink = sink(receiver.url(), Map.of(), List.of(NEW_SECRET), Duration.ofSeconds(5), 3);
        receiver.answer(r -> TestReceiver.Answer.status(204).after(Duration.ofMillis(50)));
        List<Change> batch = new ArrayList<>();
        for (int k = 0; k < 30; k++) {
            batch.add(change("k" + k, 1));
        }

        assertThat(deliver(sink, batch)).allMatch(ack -> ack == Ack.delivered());

        assertThat(receiver.received()).hasSize(30);
        assertThat(receiver.mostOpenAtOnce()).isBetween(2, 3);
    }

    @Test
    void userInfoOfTheUrlNeverAppearsInReasons() {
        URI url = URI.create(receiver.url().toString().replace("http://", "http://user:hunter2@"));
        ChangeSink sink = sink(url, Map.of(), List.of(NEW_SECRET), Duration.ofSeconds(5), 2);
        receiver.answer(r -> TestReceiver.Answer.status(400));

        Ack ack = deliverOne(sink, change("1", 1));

        assertThat(((Ack.Failed) ack).reason()).doesNotContain("hunter2").contains("***@");
        assertThat(sink.toString()).doesNotContain("hunter2");
    }
}
