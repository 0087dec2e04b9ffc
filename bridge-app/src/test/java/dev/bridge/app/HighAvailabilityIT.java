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
import dev.bridge.core.port.EventStore;
import dev.bridge.postgres.BridgePostgres;
import dev.bridge.postgres.ConnectionFactory;
import dev.bridge.postgres.PostgresOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two runnable jars with one consumer, as an operator runs them for availability: one leads and
 * delivers, the other stands by and says so; after kill -9 of the leader the standby delivers; after
 * SIGTERM the leader hands over; every committed change reaches the webhook, in order per key.
 */
class HighAvailabilityIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int KEYS = 20;

    @TempDir
    Path dir;

    @Test
    void oneLeadsTheOtherStandsByAndEachTakesOverWhenTheOtherDiesOrStops() throws Exception {
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        Queue<JsonNode> hooks = new ConcurrentLinkedQueue<>();
        receiver.createContext("/hook", exchange -> {
            hooks.add(JSON.readTree(exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(8));
        receiver.start();
        List<Process> started = new ArrayList<>();
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            int portA = freePort();
            int portB = freePort();
            Path conf = dir.resolve("bridge.conf");
            Files.writeString(conf, """
                    bridge {
                      consumer = ha
                      engine.checkpoint-interval = 200ms
                      sinks = [ { type = webhook, name = hooks, url = "http://127.0.0.1:%d/hook" } ]
                    }
                    """.formatted(receiver.getAddress().getPort()));
            Map<String, String> env = Map.of("DB_HOST", "127.0.0.1", "DB_PORT", String.valueOf(pg.getPort()), "DB_USER", "postgres",
                    "DB_PASSWORD", "not-needed");
            HttpClient http = HttpClient.newHttpClient();
            Process a = start(conf, env, portA, "a", started);
            await(Duration.ofSeconds(60), () -> role(http, portA).startsWith("leader of partition 0 of 1"));
            Process b = start(conf, env, portB, "b", started);
            await(Duration.ofSeconds(60), () -> role(http, portB).startsWith("standby"));
            assertThat(get(http, portB, "/health/ready").statusCode()).as("a standby is ready: it can take over").isEqualTo(200);

            String url = "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/postgres";
            BridgePostgres postgres = BridgePostgres.create(pg.getPostgresDatabase(), ConnectionFactory.of(url, "postgres", null),
                    PostgresOptions.defaults());
            try (Writer writer = new Writer(postgres.eventStore())) {
                await(Duration.ofSeconds(30), () -> hooks.size() > 100);
                assertThat(get(http, portA, "/metrics").body()).contains("bridge_leader{consumer=\"ha\",partition=\"0\"} 1.0");
                assertThat(get(http, portB, "/metrics").body()).contains("bridge_leader{consumer=\"ha\",partition=\"0\"} 0.0");
                String status = status(conf, env, portB);
                assertThat(status).containsPattern("partition 0 of 1: led by \\S+/" + a.pid() + "/\\S+ since")
                        .containsPattern("process \\S+/" + b.pid() + "/\\S+: standing by");

                a.destroyForcibly();
                a.waitFor(10, TimeUnit.SECONDS);
                await(Duration.ofSeconds(15), () -> role(http, portB).startsWith("leader of partition 0 of 1"));
                int atTakeOver = hooks.size();
                await(Duration.ofSeconds(15), () -> hooks.size() > atTakeOver + 100);
                assertThat(get(http, portB, "/metrics").body()).contains("bridge_leader{consumer=\"ha\",partition=\"0\"} 1.0");

                Process again = start(conf, env, portA, "a2", started);
                await(Duration.ofSeconds(60), () -> role(http, portA).startsWith("standby"));
                b.destroy();
                assertThat(b.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(b.exitValue()).isZero();
                await(Duration.ofSeconds(15), () -> role(http, portA).startsWith("leader of partition 0 of 1"));
                int afterHandOver = hooks.size();
                await(Duration.ofSeconds(15), () -> hooks.size() > afterHandOver + 100);
                writer.stop();
                await(Duration.ofSeconds(60), () -> delivered(hooks).keySet().containsAll(writer.committed));
                assertThat(again.isAlive()).isTrue();
            }
            assertOrderPerKey(hooks);
        } finally {
            for (Process p : started) {
                if (p.isAlive()) {
                    p.destroyForcibly();
                }
            }
            receiver.stop(0);
        }
    }

    private Process start(Path conf, Map<String, String> env, int opsPort, String name, List<Process> started) throws IOException {
        ProcessBuilder command = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", Path.of("target", "bridge.jar").toAbsolutePath().toString(), "run", "--config", conf.toString())
                .directory(dir.toFile())
                .redirectOutput(dir.resolve(name + ".out").toFile())
                .redirectError(dir.resolve(name + ".err").toFile());
        command.environment().putAll(env);
        command.environment().put("BRIDGE_OPS_PORT", String.valueOf(opsPort));
        Process p = command.start();
        started.add(p);
        return p;
    }

    private String status(Path conf, Map<String, String> env, int opsPort) throws Exception {
        ProcessBuilder command = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", Path.of("target", "bridge.jar").toAbsolutePath().toString(), "status", "--config", conf.toString())
                .redirectErrorStream(true);
        command.environment().putAll(env);
        command.environment().put("BRIDGE_OPS_PORT", String.valueOf(opsPort));
        Process p = command.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    private static String role(HttpClient http, int port) {
        var answer = get(http, port, "/health/ready");
        if (answer == null) {
            return "";
        }
        try {
            return JSON.readTree(answer.body()).path("checks").path("role").asText();
        } catch (IOException e) {
            return "";
        }
    }

    /** The highest version delivered of each key, by "bucket/id/version". */
    private static Map<String, Long> delivered(Queue<JsonNode> hooks) {
        Map<String, Long> seen = new HashMap<>();
        for (JsonNode c : hooks) {
            seen.put(c.get("bucket").asText() + "/" + c.get("id").asText() + "/" + c.get("version").asLong(), 1L);
        }
        return seen;
    }

    /** Per key, versions first delivered go up one at a time: repeats are allowed, going back or skipping is not. */
    private static void assertOrderPerKey(Queue<JsonNode> hooks) {
        Set<String> seen = new HashSet<>();
        Map<String, Long> last = new HashMap<>();
        for (JsonNode c : hooks) {
            String key = c.get("bucket").asText() + "/" + c.get("id").asText();
            long version = c.get("version").asLong();
            if (!seen.add(key + "/" + version)) {
                continue;
            }
            assertThat(version).as("version of %s first delivered after %s", key, last.get(key)).isEqualTo(last.getOrDefault(key, 0L) + 1);
            last.put(key, version);
        }
        assertThat(last).hasSize(KEYS);
    }

    /** Appends a new version to one key after another, about 200 a second, remembering each committed. */
    private static final class Writer implements AutoCloseable {
        final Set<String> committed = ConcurrentHashMap.newKeySet();
        private final AtomicBoolean stopped = new AtomicBoolean();
        private final Thread thread;

        Writer(EventStore store) {
            thread = new Thread(() -> {
                Map<Integer, Long> versions = new HashMap<>();
                for (int i = 0; !stopped.get(); i++) {
                    int k = i % KEYS;
                    long version = versions.merge(k, 1L, Long::sum);
                    Json state = Json.of(Map.of("n", version));
                    store.append(new Append(new Key("items", "k" + k), version - 1, 1, state, state));
                    committed.add("items/k" + k + "/" + version);
                    java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
                }
            }, "writer");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            stopped.set(true);
            thread.join();
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }
    }
}
