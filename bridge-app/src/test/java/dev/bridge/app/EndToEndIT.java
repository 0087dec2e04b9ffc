package dev.bridge.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.bridge.core.Append;
import dev.bridge.core.Json;
import dev.bridge.core.Key;
import dev.bridge.core.port.EventStore;
import dev.bridge.postgres.BridgePostgres;
import dev.bridge.postgres.ConnectionFactory;
import dev.bridge.postgres.Consumers;
import dev.bridge.postgres.PostgresOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.embedded.RedisServer;

/**
 * The runnable jar as a user runs it: a separate process against a real PostgreSQL, a real Redis and
 * a real HTTP receiver, stopped with SIGTERM.
 */
class EndToEndIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int KEYS = 10;
    private static final int VERSIONS = 5;
    private static final int CHANGES = KEYS * VERSIONS;

    @TempDir
    Path dir;

    @Test
    void theJarDeliversToConsoleRedisAndAWebhookAndDrainsOnSigterm() throws Exception {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        String secret = "whsec_" + Base64.getEncoder().encodeToString(key);
        int redisPort = freePort();
        RedisServer redis = RedisServer.newRedisServer().port(redisPort).bind("127.0.0.1").setting("save \"\"").build();
        redis.start();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        Queue<JsonNode> hooks = new ConcurrentLinkedQueue<>();
        Set<String> badSignatures = ConcurrentHashMap.newKeySet();
        receiver.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String id = exchange.getRequestHeaders().getFirst("webhook-id");
            String signed = id + "." + exchange.getRequestHeaders().getFirst("webhook-timestamp") + ".";
            if (!signatureValid(key, signed, body, exchange.getRequestHeaders().getFirst("webhook-signature"))) {
                badSignatures.add(id);
            }
            hooks.add(JSON.readTree(body));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        RedisClient redisClient = RedisClient.create("redis://127.0.0.1:" + redisPort);
        Queue<JsonNode> published = new ConcurrentLinkedQueue<>();
        Process bridge = null;
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            subscribe(redisClient, "e2e:*", published);

            // Chosen once every other server holds its port: picked earlier, the receiver's or PostgreSQL's could take it.
            int opsPort = freePort();
            Path conf = dir.resolve("bridge.conf");
            Files.writeString(conf, """
                    bridge {
                      ops.port = %d
                      engine.checkpoint-interval = 200ms
                      sinks = [
                        { type = console }
                        { type = redis, uri = "redis://127.0.0.1:%d", channel = "e2e:{bucket}" }
                        { type = webhook, name = hooks, url = "http://127.0.0.1:%d/hook", secrets = ["%s"] }
                      ]
                    }
                    """.formatted(opsPort, redisPort, receiver.getAddress().getPort(), secret));
            ProcessBuilder command = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar", Path.of("target", "bridge.jar").toAbsolutePath().toString(), "run", "--config", conf.toString())
                    .directory(dir.toFile())
                    .redirectOutput(dir.resolve("stdout.txt").toFile())
                    .redirectError(dir.resolve("stderr.txt").toFile());
            command.environment().putAll(Map.of("DB_HOST", "127.0.0.1", "DB_PORT", String.valueOf(pg.getPort()),
                    "DB_DATABASE", "postgres", "DB_USER", "postgres", "DB_PASSWORD", "not-needed", "BRIDGE_LOG_FORMAT", "json"));
            bridge = command.start();
            Process running = bridge;
            HttpClient http = HttpClient.newHttpClient();
            await(Duration.ofSeconds(60), () -> {
                assertThat(running.isAlive()).as("bridge exited early: %s", stderr()).isTrue();
                HttpResponse<String> ready = get(http, opsPort, "/health/ready");
                return ready != null && ready.statusCode() == 200;
            });
            assertThat(get(http, opsPort, "/health/live").statusCode()).isEqualTo(200);

            String url = "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/postgres";
            BridgePostgres postgres = BridgePostgres.create(pg.getPostgresDatabase(), ConnectionFactory.of(url, "postgres", null),
                    PostgresOptions.defaults());
            EventStore store = postgres.eventStore();
            for (int version = 1; version <= VERSIONS; version++) {
                for (int k = 0; k < KEYS; k++) {
                    String text = k == 0 && version == 3 ? "x".repeat(20_000) : "v" + version;
                    Json state = Json.of(Map.of("n", version, "text", text));
                    store.append(new Append(new Key(k % 2 == 0 ? "orders" : "customers", "k" + k), version - 1, 1, state, state));
                }
            }

            await(Duration.ofSeconds(60), () -> published.size() >= CHANGES && hooks.size() >= CHANGES && consoleLines().size() >= CHANGES);
            assertThat(badSignatures).isEmpty();
            for (Queue<JsonNode> delivered : List.of(published, hooks)) {
                assertInOrderPerKey(new ArrayList<>(delivered));
            }
            List<JsonNode> printed = new ArrayList<>();
            for (String line : consoleLines()) {
                printed.add(JSON.readTree(line));
            }
            assertInOrderPerKey(printed);
            assertThat(printed).anySatisfy(c -> assertThat(c.get("val").get("text").asText()).hasSize(20_000));

            String metrics = get(http, opsPort, "/metrics").body();
            assertThat(metrics).contains("bridge_sink_delivered_total{sink=\"hooks\"} " + CHANGES + ".0",
                    "bridge_sink_delivered_total{sink=\"redis\"} " + CHANGES + ".0",
                    "bridge_sink_delivered_total{sink=\"console\"} " + CHANGES + ".0",
                    "bridge_listener_connected 1.0", "bridge_delivery_latency_seconds_bucket");

            bridge.destroy();
            assertThat(bridge.waitFor(60, TimeUnit.SECONDS)).as("bridge stops within a minute").isTrue();
            assertThat(bridge.exitValue()).as("exit code; stderr: %s", stderr()).isZero();
            assertThat(stderr()).contains("bridge: stopped").doesNotContain(secret).doesNotContain("not-needed");
            List<JsonNode> logLines = new ArrayList<>();
            for (String line : stderr().split("\n")) {
                if (!line.startsWith("bridge: ")) {
                    logLines.add(JSON.readTree(line));
                }
            }
            assertThat(logLines).as("log lines are JSON objects").isNotEmpty().allSatisfy(l -> assertThat(l.has("level")).isTrue())
                    .anySatisfy(l -> assertThat(l.path("formattedMessage").asText()).startsWith("bridge is running"));
            Consumers.Consumer consumer = postgres.consumers().list().stream().filter(c -> c.name().equals("bridge")).findFirst()
                    .orElseThrow();
            assertThat(consumer.pending()).as("changes the saved checkpoint does not cover").isZero();
        } finally {
            if (bridge != null && bridge.isAlive()) {
                bridge.destroyForcibly();
            }
            redisClient.shutdown();
            receiver.stop(0);
            redis.stop();
        }
    }

    private static void assertInOrderPerKey(List<JsonNode> changes) {
        Map<String, Long> last = new HashMap<>();
        for (JsonNode c : changes) {
            String key = c.get("bucket").asText() + "/" + c.get("id").asText();
            long version = c.get("version").asLong();
            assertThat(version).as("version of %s after %s", key, last.get(key)).isEqualTo(last.getOrDefault(key, 0L) + 1);
            last.put(key, version);
        }
        assertThat(last).hasSize(KEYS).allSatisfy((k, v) -> assertThat(v).isEqualTo(VERSIONS));
    }

    private List<String> consoleLines() {
        try {
            return Files.readAllLines(dir.resolve("stdout.txt")).stream().filter(l -> l.startsWith("{\"op\"")).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private String stderr() {
        try {
            return Files.readString(dir.resolve("stderr.txt"));
        } catch (IOException e) {
            return "(no stderr: " + e + ")";
        }
    }

    static boolean signatureValid(byte[] key, String signed, byte[] body, String header) {
        if (header == null) {
            return false;
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(signed.getBytes(StandardCharsets.UTF_8));
            byte[] expected = mac.doFinal(body);
            for (String part : header.split(" ")) {
                if (part.startsWith("v1,") && MessageDigest.isEqual(expected, Base64.getDecoder().decode(part.substring(3)))) {
                    return true;
                }
            }
            return false;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static HttpResponse<String> get(HttpClient http, int port, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Collects, as JSON, every message published on channels that match {@code pattern}. */
    static void subscribe(RedisClient redis, String pattern, Queue<JsonNode> into) {
        StatefulRedisPubSubConnection<String, String> subscriber = redis.connectPubSub();
        subscriber.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String matched, String channel, String message) {
                try {
                    into.add(JSON.readTree(message));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        subscriber.sync().psubscribe(pattern);
    }

    static void await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition met within %s", timeout).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
