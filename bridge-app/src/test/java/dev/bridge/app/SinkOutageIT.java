package dev.bridge.app;

import static dev.bridge.app.EndToEndIT.await;
import static dev.bridge.app.EndToEndIT.freePort;
import static dev.bridge.app.EndToEndIT.get;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.bridge.core.Append;
import dev.bridge.core.Json;
import dev.bridge.core.Key;
import dev.bridge.postgres.BridgePostgres;
import dev.bridge.postgres.ConnectionFactory;
import dev.bridge.postgres.Consumers;
import dev.bridge.postgres.PostgresOptions;
import io.lettuce.core.RedisClient;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.embedded.RedisServer;

/**
 * The runnable jar with a Redis sink and a webhook sink whose receiver is stopped (connection
 * refused), answers 503, and hangs, in turn, while changes are written: the Redis sink keeps
 * delivering, the webhook sink is reported down, a restart during the outage resumes each sink from
 * its own checkpoint, and once the receiver is back everything arrives, in order per key, with
 * nothing dead-lettered.
 */
class SinkOutageIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int KEYS = 20;

    private enum Mode { OK, UNAVAILABLE, HANG }

    @TempDir
    Path dir;

    private volatile Mode mode = Mode.OK;
    private final Queue<JsonNode> hooks = new ConcurrentLinkedQueue<>();
    private final Queue<JsonNode> published = new ConcurrentLinkedQueue<>();
    private int round;

    @Test
    void theOtherSinkKeepsDeliveringAndTheDownSinkCatchesUpFromItsOwnCheckpoint() throws Exception {
        int redisPort = freePort();
        RedisServer redis = RedisServer.newRedisServer().port(redisPort).bind("127.0.0.1").setting("save \"\"").build();
        redis.start();
        int hookPort = freePort();
        HttpServer receiver = receiver(hookPort);
        RedisClient redisClient = RedisClient.create("redis://127.0.0.1:" + redisPort);
        Process bridge = null;
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            EndToEndIT.subscribe(redisClient, "outage:*", published);
            int opsPort = freePort();
            String sinks = """
                      sinks = [
                        { type = redis, name = cache, uri = "redis://127.0.0.1:%d", channel = "outage:{bucket}" }
                        { type = webhook, name = hooks, url = "http://127.0.0.1:%d/hook", timeout = 1s, connect-timeout = 1s }
                      ]
                    """.formatted(redisPort, hookPort);
            Path conf = dir.resolve("bridge.conf");
            Files.writeString(conf, "bridge {\n ops.port = " + opsPort + "\n engine.checkpoint-interval = 100ms\n" + sinks + "}\n");
            Path strict = dir.resolve("strict.conf");
            Files.writeString(strict, "include \"bridge.conf\"\nbridge.ops.ready-checks = [listener, sinks]\n");
            BridgePostgres postgres = BridgePostgres.create(pg.getPostgresDatabase(),
                    ConnectionFactory.of("jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/postgres", "postgres", null), PostgresOptions.defaults());
            HttpClient http = HttpClient.newHttpClient();

            bridge = start(pg, conf, "first");
            awaitReady(http, opsPort, bridge, 200);
            write(postgres);
            await(Duration.ofSeconds(60), () -> published.size() == KEYS && hooks.size() >= KEYS);

            // Refused: the receiver is gone.
            receiver.stop(0);
            write(postgres);
            await(Duration.ofSeconds(60), () -> published.size() == 2 * KEYS);
            awaitSinkState(http, opsPort, "down", 200);
            int hooksBefore = hooks.size();

            // A restart during the outage: each sink resumes from its own checkpoint.
            bridge.destroy();
            assertThat(bridge.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(bridge.exitValue()).as(stderr("first")).isZero();
            bridge = start(pg, strict, "second");
            write(postgres);
            await(Duration.ofSeconds(60), () -> published.size() == 3 * KEYS);
            awaitSinkState(http, opsPort, "down", 503);
            assertThat(published).as("the Redis sink repeated nothing after the restart").hasSize(3 * KEYS);

            // 503 for everything, then a receiver that hangs.
            mode = Mode.UNAVAILABLE;
            receiver = receiver(hookPort);
            write(postgres);
            await(Duration.ofSeconds(60), () -> published.size() == 4 * KEYS);
            mode = Mode.HANG;
            write(postgres);
            await(Duration.ofSeconds(60), () -> published.size() == 5 * KEYS);
            awaitSinkState(http, opsPort, "down", 503);
            assertThat(hooks).as("nothing reached the receiver during the outage").hasSize(hooksBefore);

            mode = Mode.OK;
            await(Duration.ofSeconds(60), () -> hooks.stream().map(SinkOutageIT::key).distinct().count() == KEYS
                    && hooks.stream().filter(h -> h.get("version").asLong() == round).count() >= KEYS);
            awaitReady(http, opsPort, bridge, 200);
            assertInOrderPerKey(new ArrayList<>(published));
            assertInOrderPerKey(new ArrayList<>(hooks));
            await(Duration.ofSeconds(30), () -> postgres.consumers().list().stream().filter(c -> c.name().equals("bridge"))
                    .allMatch(c -> c.pending() == 0));
            assertThat(postgres.consumers().list()).filteredOn(c -> c.name().equals("bridge")).extracting(Consumers.Consumer::sink)
                    .containsExactly("cache", "hooks");
            String metrics = get(http, opsPort, "/metrics").body();
            assertThat(metrics).contains("bridge_sink_dead_lettered_total{sink=\"hooks\"} 0.0",
                    "bridge_sink_state{sink=\"hooks\",state=\"delivering\"} 1.0", "bridge_sink_state{sink=\"cache\",state=\"down\"} 0.0");
            assertThat(postgres.deadLetterStore().list(null, 0, 10)).isEmpty();
            assertThat(stderr("first") + stderr("second")).contains("WARN").contains("hooks");
        } finally {
            if (bridge != null && bridge.isAlive()) {
                bridge.destroyForcibly();
            }
            mode = Mode.OK;
            redisClient.shutdown();
            receiver.stop(0);
            redis.stop();
        }
    }

    private HttpServer receiver(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (mode == Mode.HANG && System.nanoTime() < until) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (mode == Mode.OK) {
                hooks.add(JSON.readTree(body));
                exchange.sendResponseHeaders(204, -1);
            } else {
                exchange.sendResponseHeaders(503, -1);
            }
            exchange.close();
        });
        server.start();
        return server;
    }

    /** One more version of every key. */
    private void write(BridgePostgres postgres) {
        round++;
        for (int k = 0; k < KEYS; k++) {
            Json state = Json.of(Map.of("n", round));
            postgres.eventStore().append(new Append(new Key("orders", "k" + k), round - 1, 1, state, state));
        }
    }

    private Process start(EmbeddedPostgres pg, Path conf, String name) throws IOException {
        ProcessBuilder command = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", Path.of("target", "bridge.jar").toAbsolutePath().toString(), "run", "--config", conf.toString())
                .directory(dir.toFile())
                .redirectOutput(dir.resolve(name + ".out").toFile())
                .redirectError(dir.resolve(name + ".err").toFile());
        command.environment().putAll(Map.of("DB_HOST", "127.0.0.1", "DB_PORT", String.valueOf(pg.getPort()),
                "DB_DATABASE", "postgres", "DB_USER", "postgres", "DB_PASSWORD", "not-needed"));
        return command.start();
    }

    private void awaitReady(HttpClient http, int opsPort, Process bridge, int status) throws InterruptedException {
        await(Duration.ofSeconds(60), () -> {
            assertThat(bridge.isAlive()).as("bridge exited early").isTrue();
            HttpResponse<String> ready = get(http, opsPort, "/health/ready");
            return ready != null && ready.statusCode() == status;
        });
    }

    /** Waits until the readiness answer says the webhook sink is in {@code state}, with HTTP {@code status}. */
    private static void awaitSinkState(HttpClient http, int opsPort, String state, int status) throws InterruptedException {
        await(Duration.ofSeconds(60), () -> {
            HttpResponse<String> ready = get(http, opsPort, "/health/ready");
            if (ready == null) {
                return false;
            }
            try {
                JsonNode checks = JSON.readTree(ready.body()).path("checks");
                return ready.statusCode() == status && checks.path("sink hooks").asText().startsWith(state)
                        && checks.path("sink cache").asText().startsWith("delivering");
            } catch (IOException e) {
                return false;
            }
        });
    }

    private static String key(JsonNode change) {
        return change.get("bucket").asText() + "/" + change.get("id").asText();
    }

    /** Per key, versions never go back and none is skipped; a repeat of the latest (at least once) is allowed. */
    private void assertInOrderPerKey(List<JsonNode> changes) {
        Map<String, Long> last = new HashMap<>();
        for (JsonNode c : changes) {
            long version = c.get("version").asLong();
            long before = last.getOrDefault(key(c), 0L);
            assertThat(version).as("version of %s after %s", key(c), before).isBetween(before, before + 1);
            last.put(key(c), version);
        }
        assertThat(last).hasSize(KEYS).allSatisfy((k, v) -> assertThat(v).isEqualTo((long) round));
    }

    private String stderr(String name) {
        try {
            return Files.readString(dir.resolve(name + ".err"));
        } catch (IOException e) {
            return "(no stderr: " + e + ")";
        }
    }
}
