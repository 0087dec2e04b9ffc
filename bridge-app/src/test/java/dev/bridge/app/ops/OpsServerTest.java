package dev.bridge.app.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bridge.core.InvalidSettingException;
import dev.bridge.core.engine.EngineStats;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OpsServerTest {

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    private final BridgeMetrics metrics = new BridgeMetrics();
    private final AtomicReference<Supplier<Readiness>> readiness =
            new AtomicReference<>(() -> new Readiness(true, Map.of("postgres", "connected")));
    private final OpsServer server = new OpsServer("127.0.0.1", 0, metrics, () -> readiness.get().get());

    @AfterEach
    void close() {
        server.close();
        metrics.close();
    }

    @Test
    void liveAnswersUp() throws Exception {
        server.start();

        HttpResponse<String> response = get("/health/live");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(response.body()).isEqualTo("{\"status\":\"UP\"}");
    }

    @Test
    void readyAnswers200WhenReadyAnd503WhenNotWithEachCheck() throws Exception {
        server.start();
        Map<String, String> checks = new LinkedHashMap<>();
        checks.put("postgres", "connected");
        checks.put("sink billing", "started");
        readiness.set(() -> new Readiness(true, checks));

        HttpResponse<String> up = get("/health/ready");

        assertThat(up.statusCode()).isEqualTo(200);
        assertThat(up.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(up.body()).isEqualTo("{\"status\":\"UP\",\"checks\":{\"postgres\":\"connected\",\"sink billing\":\"started\"}}");

        readiness.set(() -> new Readiness(false, Map.of("postgres", "connection refused \"db:5432\"\n")));
        HttpResponse<String> down = get("/health/ready");

        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(down.body()).isEqualTo("{\"status\":\"DOWN\",\"checks\":{\"postgres\":\"connection refused \\\"db:5432\\\"\\n\"}}");
    }

    @Test
    void aFailingReadinessCheckAnswers503WithoutItsMessage() throws Exception {
        server.start();
        readiness.set(() -> {
            throw new IllegalStateException("password=hunter2");
        });

        HttpResponse<String> response = get("/health/ready");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).isEqualTo(
                "{\"status\":\"DOWN\",\"checks\":{\"readiness\":\"could not be evaluated (IllegalStateException)\"}}");
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
    }

    @Test
    void metricsAnswersThePrometheusScrape() throws Exception {
        metrics.bindEngine(() -> new EngineStats(42, 1, List.of()), List.of());
        server.start();

        HttpResponse<String> response = get("/metrics");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(Scrape.parse(response.body())).containsEntry("bridge_engine_changes_received_total", 42.0)
                .containsKey("jvm_threads_live_threads");
    }

    @Test
    void headAnswersLikeGetWithoutABody() throws Exception {
        readiness.set(() -> new Readiness(false, Map.of()));
        server.start();

        for (String path : List.of("/health/live", "/health/ready", "/metrics")) {
            HttpResponse<String> get = get(path);
            HttpResponse<String> head = send("HEAD", path);

            assertThat(head.statusCode()).as(path).isEqualTo(get.statusCode());
            assertThat(head.headers().firstValue("Content-Type")).as(path).isEqualTo(get.headers().firstValue("Content-Type"));
            assertThat(head.body()).as(path).isEmpty();
        }
        assertThat(send("HEAD", "/health/live").headers().firstValue("Content-Length")).hasValue("15");
    }

    @Test
    void otherMethodsAre405WithAllow() throws Exception {
        server.start();

        for (String method : List.of("POST", "PUT", "DELETE", "OPTIONS")) {
            HttpResponse<String> response = send(method, "/metrics");

            assertThat(response.statusCode()).as(method).isEqualTo(405);
            assertThat(response.headers().firstValue("Allow")).as(method).hasValue("GET, HEAD");
        }
    }

    @Test
    void unknownPathsAre404() throws Exception {
        server.start();

        for (String path : List.of("/", "/health", "/health/live/", "/metrics/jvm", "/favicon.ico")) {
            assertThat(get(path).statusCode()).as(path).isEqualTo(404);
        }
        assertThat(send("POST", "/nope").statusCode()).isEqualTo(404);
    }

    @Test
    void portZeroPicksAFreePort() {
        assertThatThrownBy(server::port).isInstanceOf(IllegalStateException.class);

        server.start();

        assertThat(server.port()).isBetween(1, 65_535);
    }

    @Test
    void aTakenPortNamesTheAddressAndTheSettingToChange() {
        server.start();
        String taken = "127.0.0.1:" + server.port();

        try (OpsServer second = new OpsServer("127.0.0.1", server.port(), metrics, readiness.get())) {
            assertThatThrownBy(second::start)
                    .isInstanceOfSatisfying(InvalidSettingException.class, e -> assertThat(e.path()).isEqualTo("bridge.ops.port"))
                    .hasMessageContaining(taken)
                    .hasMessageContaining("set bridge.ops.port to a free port");
        }
    }

    @Test
    void anAddressOfAnotherMachineNamesTheHostSetting() {
        try (OpsServer elsewhere = new OpsServer("192.0.2.1", 0, metrics, readiness.get())) {
            assertThatThrownBy(elsewhere::start)
                    .isInstanceOfSatisfying(InvalidSettingException.class, e -> assertThat(e.path()).isEqualTo("bridge.ops.host"))
                    .hasMessageContaining("192.0.2.1:0");
        }
    }

    @Test
    void aStalledClientDoesNotHoldUpOthers() throws Exception {
        server.start();
        try (Socket stalled = new Socket("127.0.0.1", server.port())) {
            OutputStream out = stalled.getOutputStream();
            out.write("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();

            assertThat(get("/health/live").statusCode()).isEqualTo(200);
            assertThat(get("/metrics").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void idleHalfOpenAndSlowClientsCannotStarveTheProbes() throws Exception {
        server.start();
        List<Socket> hostile = new java.util.ArrayList<>();
        try {
            // Twice as many as the server keeps: half-open requests, a request that never ends, idle connections.
            for (int i = 0; i < 2 * OpsServer.MAX_CONNECTIONS; i++) {
                Socket s = new Socket("127.0.0.1", server.port());
                hostile.add(s);
                switch (i % 3) {
                    case 0 -> s.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                    case 1 -> s.getOutputStream().write("G".getBytes(StandardCharsets.US_ASCII));
                    default -> { }
                }
            }
            long started = System.nanoTime();
            for (int i = 0; i < 5; i++) {
                assertThat(get("/health/live").statusCode()).isEqualTo(200);
                assertThat(get("/health/ready").statusCode()).isEqualTo(200);
                assertThat(get("/metrics").statusCode()).isEqualTo(200);
            }
            // Fifteen answers, each well within a probe's usual timeout; the hostile clients wait their turn to be dropped.
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        } finally {
            for (Socket s : hostile) {
                s.close();
            }
        }
    }

    @Test
    void aRequestThatNeverEndsIsDroppedAfterItsDeadline() throws Exception {
        server.start();
        try (Socket slow = new Socket("127.0.0.1", server.port())) {
            slow.setSoTimeout(OpsServer.REQUEST_MILLIS * 3);
            slow.getOutputStream().write("GET /health/live HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
            long started = System.nanoTime();
            assertThat(slow.getInputStream().read()).as("closed without an answer").isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(OpsServer.REQUEST_MILLIS * 2L));
        }
    }

    @Test
    void closeStopsListeningAtOnceAndIsFinal() throws Exception {
        server.start();
        int port = server.port();

        server.close();
        server.close();

        assertThatThrownBy(() -> CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/live"))
                .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(ConnectException.class);
        assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void settingsAreChecked() {
        assertThatThrownBy(() -> new OpsServer(" ", 0, metrics, readiness.get()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("host");
        assertThatThrownBy(() -> new OpsServer("127.0.0.1", 65_536, metrics, readiness.get()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("65536");
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send("GET", path);
    }

    private HttpResponse<String> send(String method, String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(5))
                .build();
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
