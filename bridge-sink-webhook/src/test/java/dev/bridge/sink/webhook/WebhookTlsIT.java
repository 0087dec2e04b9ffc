package dev.bridge.sink.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.bridge.core.BridgeException;
import dev.bridge.core.Change;
import dev.bridge.core.Json;
import dev.bridge.core.Op;
import dev.bridge.core.port.Ack;
import dev.bridge.core.port.ChangeSink;
import dev.bridge.sink.tck.RecordingAcknowledger;
import dev.bridge.core.sink.SelfSignedCertificate;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Delivery over HTTPS to a real TLS server whose certificate a private CA (here: itself) signed. */
class WebhookTlsIT {

    private static final List<String> BODIES = new CopyOnWriteArrayList<>();
    private static HttpsServer server;
    private static Path caFile;

    @BeforeAll
    static void startServer() throws IOException {
        SelfSignedCertificate certificate = SelfSignedCertificate.create("ip:127.0.0.1");
        caFile = certificate.caFile();
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(certificate.serverContext()));
        server.createContext("/hook", exchange -> {
            BODIES.add(new String(exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterAll
    static void stopServer() {
        server.stop(0);
    }

    private static ChangeSink sink(Optional<Path> trust) {
        ChangeSink sink = WebhookSinkProvider.sink("tls", new WebhookSinkOptions(
                URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/hook"), Map.of(),
                List.of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), Duration.ofSeconds(5), Duration.ofSeconds(5), 4, false, trust,
                1L << 20));
        sink.start();
        return sink;
    }

    @Test
    void deliversOverHttpsTrustingThePrivateCa() {
        ChangeSink sink = sink(Optional.of(caFile));
        try {
            Change change = new Change(Op.INSERT, "b", "tls-1", 1, Instant.now(), Json.parse("{\"secure\":true}"), null, 9);
            RecordingAcknowledger acks = new RecordingAcknowledger(List.of(change));
            sink.deliver(List.of(change), acks);
            assertThat(acks.awaitAll(Duration.ofSeconds(10))).singleElement().isInstanceOf(Ack.Delivered.class);
            assertThat(BODIES).anyMatch(body -> body.contains("\"tls-1\""));
        } finally {
            sink.stop();
        }
    }

    @Test
    void anUntrustedCertificateIsRetriedNotDelivered() {
        ChangeSink sink = sink(Optional.empty());
        try {
            Change change = new Change(Op.INSERT, "b", "tls-2", 1, Instant.now(), Json.parse("{}"), null, 10);
            RecordingAcknowledger acks = new RecordingAcknowledger(List.of(change));
            sink.deliver(List.of(change), acks);
            assertThat(acks.awaitAll(Duration.ofSeconds(10))).singleElement().isInstanceOf(Ack.Retry.class);
            assertThat(BODIES).noneMatch(body -> body.contains("\"tls-2\""));
        } finally {
            sink.stop();
        }
    }

    @Test
    void aCaFileThatIsNotPemIsAClearErrorAtStart() throws IOException {
        Path bogus = Files.createTempFile("not-a-ca", ".pem");
        Files.writeString(bogus, "hello");
        assertThatThrownBy(() -> sink(Optional.of(bogus))).isInstanceOf(BridgeException.class)
                .hasMessageContaining("cannot use its tls-ca-file").hasMessageContaining(bogus.toString());
        assertThatThrownBy(() -> new WebhookSinkOptions(URI.create("http://127.0.0.1/hook"), Map.of(), List.of(),
                Duration.ofSeconds(1), Duration.ofSeconds(1), 1, false, Optional.of(caFile), 1L << 20))
                .hasMessageContaining("https:// url only");
    }
}
