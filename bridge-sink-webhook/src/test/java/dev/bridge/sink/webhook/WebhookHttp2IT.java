package dev.bridge.sink.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bridge.core.Change;
import dev.bridge.core.ChangeJson;
import dev.bridge.core.Json;
import dev.bridge.core.Op;
import dev.bridge.core.port.Ack;
import dev.bridge.core.port.ChangeSink;
import dev.bridge.sink.tck.RecordingAcknowledger;
import dev.bridge.core.sink.SelfSignedCertificate;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http2.HTTP2Cipher;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Delivery to a real HTTP/2 server (Jetty; the JDK's test server speaks HTTP/1.1 only): h2 when the
 * server offers it by ALPN over TLS, HTTP/1.1 when it offers only that. The receiver checks every
 * signature with {@link TestReceiver#verify}.
 */
@Timeout(60)
class WebhookHttp2IT {

    private static final String SECRET = WebhookSinkContractIT.SECRET;
    private static final List<byte[]> KEYS = TestReceiver.keys(SECRET);
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static SelfSignedCertificate certificate;

    /** A request as the server saw it, with the protocol it came over. */
    record Seen(String protocol, String connection, TestReceiver.Received request) {
    }

    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final List<ChangeSink> sinks = new ArrayList<>();
    private final AtomicLong seq = new AtomicLong(900);
    private volatile Function<TestReceiver.Received, TestReceiver.Answer> answer = r -> TestReceiver.Answer.status(204);
    private int streamLimit = 128;
    private Server server;

    @BeforeAll
    static void makeCertificate() {
        certificate = SelfSignedCertificate.create("ip:127.0.0.1");
    }

    @AfterEach
    void stop() throws Exception {
        sinks.forEach(ChangeSink::stop);
        if (server != null) {
            server.stop();
        }
    }

    /** Serves https on 127.0.0.1, offering {@code alpn} in that order; none: a server without ALPN. */
    private URI serveTls(String... alpn) throws Exception {
        server = new Server();
        HttpConfiguration config = new HttpConfiguration();
        HttpConnectionFactory http11 = new HttpConnectionFactory(config);
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setSslContext(certificate.serverContext());
        tls.setCipherComparator(HTTP2Cipher.COMPARATOR);
        List<ConnectionFactory> factories = new ArrayList<>();
        if (alpn.length == 0) {
            factories.add(new SslConnectionFactory(tls, http11.getProtocol()));
        } else {
            ALPNServerConnectionFactory negotiation = new ALPNServerConnectionFactory(alpn);
            negotiation.setDefaultProtocol(http11.getProtocol());
            factories.add(new SslConnectionFactory(tls, negotiation.getProtocol()));
            factories.add(negotiation);
            if (List.of(alpn).contains("h2")) {
                HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(config);
                h2.setMaxConcurrentStreams(streamLimit);
                factories.add(h2);
            }
        }
        factories.add(http11);
        return start(factories.toArray(ConnectionFactory[]::new), "https");
    }

    /** Serves plain http offering the upgrade to h2c. */
    private URI serveCleartext() throws Exception {
        server = new Server();
        HttpConfiguration config = new HttpConfiguration();
        return start(new ConnectionFactory[] {new HttpConnectionFactory(config), new HTTP2CServerConnectionFactory(config)}, "http");
    }

    private URI start(ConnectionFactory[] factories, String scheme) throws Exception {
        ServerConnector connector = new ServerConnector(server, 1, 1, factories);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(new Recorder());
        server.start();
        return URI.create(scheme + "://127.0.0.1:" + connector.getLocalPort() + "/hook");
    }

    private ChangeSink sink(URI url, boolean batch, Duration timeout, int maxInFlight) {
        Optional<Path> trust = url.getScheme().equals("https") ? Optional.of(certificate.caFile()) : Optional.empty();
        ChangeSink sink = WebhookSinkProvider.sink("h2", new WebhookSinkOptions(url, Map.of(), List.of(SECRET), timeout,
                Duration.ofSeconds(5), maxInFlight, batch, trust, 1L << 20));
        sink.start();
        sinks.add(sink);
        return sink;
    }

    private ChangeSink sink(URI url) {
        return sink(url, false, Duration.ofSeconds(5), 8);
    }

    private Change change(String id, long version) {
        return new Change(Op.UPDATE, "orders", id, version, Instant.parse("2026-11-24T10:00:00Z"),
                Json.parse("{\"v\":" + version + ",\"note\":\"" + "x".repeat(40) + "\"}"), null, seq.incrementAndGet());
    }

    private static List<Ack> deliver(ChangeSink sink, List<Change> batch) {
        RecordingAcknowledger acks = new RecordingAcknowledger(batch);
        sink.deliver(batch, acks);
        List<Ack> all = acks.awaitAll(WAIT);
        acks.assertNoViolations();
        return all;
    }

    private List<Change> changes(int keys, int versions) {
        List<Change> batch = new ArrayList<>();
        for (int v = 1; v <= versions; v++) {
            for (int k = 0; k < keys; k++) {
                batch.add(change("k" + k, v));
            }
        }
        return batch;
    }

    @ParameterizedTest(name = "batch = {0}")
    @ValueSource(booleans = {false, true})
    void speaksHttp2OverTlsWhenTheServerOffersIt(boolean batch) throws Exception {
        ChangeSink sink = sink(serveTls("h2", "http/1.1"), batch, Duration.ofSeconds(5), 8);
        List<Change> sent = changes(6, 3);

        assertThat(deliver(sink, sent)).allMatch(ack -> ack == Ack.delivered());

        assertThat(seen).isNotEmpty().allSatisfy(s -> {
            assertThat(s.protocol()).isEqualTo("HTTP/2.0");
            assertThat(s.request().signatureValid()).isTrue();
            assertThat(s.request().header("Content-Type")).isEqualTo("application/json");
        });
        List<String> json = sent.stream().map(c -> new String(ChangeJson.toBytes(c), StandardCharsets.UTF_8)).toList();
        assertThat(seen).extracting(s -> new String(s.request().body(), StandardCharsets.UTF_8))
                .containsExactlyInAnyOrderElementsOf(batch ? List.of("[" + String.join(",", json) + "]") : json);
    }

    @ParameterizedTest(name = "ALPN offers {0}")
    @ValueSource(strings = {"http/1.1", ""})
    void fallsBackToHttp11WhenTheServerOffersOnlyThat(String alpn) throws Exception {
        ChangeSink sink = sink(alpn.isEmpty() ? serveTls() : serveTls(alpn));
        List<Change> sent = changes(4, 2);

        assertThat(deliver(sink, sent)).allMatch(ack -> ack == Ack.delivered());

        assertThat(seen).hasSize(sent.size()).allSatisfy(s -> {
            assertThat(s.protocol()).isEqualTo("HTTP/1.1");
            assertThat(s.request().signatureValid()).isTrue();
        });
        assertThat(seen.stream().flatMap(s -> s.request().changes().stream())).containsExactlyInAnyOrderElementsOf(sent);
    }

    @Test
    void answersAreReadAlikeOverHttp2() throws Exception {
        ChangeSink sink = sink(serveTls("h2", "http/1.1"));
        answer = r -> switch (r.changes().get(0).id()) {
            case "busy" -> TestReceiver.Answer.status(503).withHeader("Retry-After", "30");
            case "bad" -> TestReceiver.Answer.status(422).withBody("{\"error\":\"unknown bucket\"}" + "y".repeat(100_000));
            default -> TestReceiver.Answer.status(200).withBody("{\"ok\":true}");
        };
        Instant before = Instant.now();

        List<Ack> acks = deliver(sink, List.of(change("busy", 1), change("bad", 1), change("fine", 1)));

        assertThat(((Ack.Retry) acks.get(0)).notBefore()).hasValueSatisfying(at -> assertThat(at).isAfter(before.plusSeconds(29)));
        assertThat(((Ack.Failed) acks.get(1)).reason()).contains("answered 422: {\"error\":\"unknown bucket\"}yyy").hasSizeLessThan(400);
        assertThat(acks.get(2)).isSameAs(Ack.delivered());
        assertThat(seen).extracting(Seen::protocol).containsOnly("HTTP/2.0");
    }

    @Test
    void aTimedOutStreamIsRetriedAndItsConnectionServesTheOthers() throws Exception {
        ChangeSink sink = sink(serveTls("h2", "http/1.1"), false, Duration.ofMillis(500), 8);
        answer = r -> TestReceiver.Answer.status(204).after(r.changes().get(0).id().equals("slow") ? Duration.ofMillis(1500) : Duration.ZERO);
        // The JDK counts opening the connection (TCP and TLS) into a request's timeout, which a cold JVM can exceed.
        Change first = change("first", 1);
        for (int attempt = 0; attempt < 5 && deliver(sink, List.of(first)).get(0) != Ack.delivered(); attempt++) {
            seen.clear();
        }
        long timeoutsBefore = sink.counters().get("timeouts");

        List<Ack> acks = deliver(sink, List.of(change("slow", 1), change("quick", 1)));
        List<Ack> later = deliver(sink, List.of(change("after", 1)));

        assertThat(((Ack.Retry) acks.get(0)).reason()).contains("timed out");
        assertThat(acks.get(1)).isSameAs(Ack.delivered());
        assertThat(later).containsExactly(Ack.delivered());
        assertThat(seen).extracting(Seen::protocol).containsOnly("HTTP/2.0");
        assertThat(seen).extracting(Seen::connection).containsOnly(seen.get(0).connection());
        assertThat(sink.counters().get("timeouts")).isEqualTo(timeoutsBefore + 1);
    }

    @Test
    void moreRequestsAtOnceThanTheServerAllowsStreamsWaitInsteadOfFailing() throws Exception {
        streamLimit = 2;
        ChangeSink sink = sink(serveTls("h2", "http/1.1"), false, Duration.ofSeconds(5), 8);
        answer = r -> TestReceiver.Answer.status(204).after(Duration.ofMillis(50));
        List<Change> sent = changes(30, 1);

        assertThat(deliver(sink, sent)).allMatch(ack -> ack == Ack.delivered());

        assertThat(seen).hasSize(sent.size()).extracting(Seen::protocol).containsOnly("HTTP/2.0");
        assertThat(sink.counters()).containsEntry("requests", (long) sent.size()).containsEntry("network_errors", 0L);
    }

    @Test
    void cleartextOffersTheUpgradeToH2cAndDeliversEitherWay() throws Exception {
        ChangeSink sink = sink(serveCleartext());
        List<Change> sent = changes(4, 2);

        assertThat(deliver(sink, sent)).allMatch(ack -> ack == Ack.delivered());

        assertThat(seen).hasSize(sent.size()).allMatch(s -> s.request().signatureValid());
        assertThat(seen.get(0).request().header("Upgrade")).isEqualTo("h2c");
    }

    /** Records each request and answers as {@link #answer} says. */
    private final class Recorder extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            byte[] body = Content.Source.asInputStream(request).readAllBytes();
            HttpFields fields = request.getHeaders();
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (HttpField field : fields) {
                headers.computeIfAbsent(field.getName(), n -> new ArrayList<>()).add(field.getValue());
            }
            String id = fields.get("webhook-id");
            String timestamp = fields.get("webhook-timestamp");
            String signature = fields.get("webhook-signature");
            boolean valid = TestReceiver.verify(KEYS, id, timestamp, signature, body);
            long at = System.currentTimeMillis();
            TestReceiver.Answer reply = answer.apply(new TestReceiver.Received(id, timestamp, signature, headers, body, valid, at, 0));
            if (!reply.delay().isZero()) {
                Thread.sleep(reply.delay().toMillis());
            }
            seen.add(new Seen(request.getConnectionMetaData().getProtocol(), request.getConnectionMetaData().getId(),
                    new TestReceiver.Received(id, timestamp, signature, headers, body, valid, at, reply.status())));
            response.setStatus(reply.status());
            reply.headers().forEach(response.getHeaders()::put);
            Content.Sink.write(response, true, reply.body(), callback);
            return true;
        }
    }
}
