package dev.bridge.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.bridge.core.engine.DeliveryEngine;
import dev.bridge.core.engine.SinkFilter;
import dev.bridge.postgres.BridgePostgres;
import dev.bridge.postgres.ConnectionFactory;
import dev.bridge.sink.redis.RedisSinkOptions;
import dev.bridge.sink.redis.RedisSinkProvider;
import dev.bridge.sink.webhook.WebhookSinkOptions;
import dev.bridge.sink.webhook.WebhookSinkProvider;
import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import redis.embedded.RedisServer;

/**
 * The README's "Using the modules as a library" snippet, run as written against a real PostgreSQL
 * (the owner role of docs/security.md, not a superuser), a real Redis and a real HTTP receiver;
 * the README's code block must be the text between the markers below, so the two cannot drift.
 */
class LibraryReadmeIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path README = Path.of("..", "README.md");

    @Test
    void theReadmeShowsTheSnippetThisTestRuns() throws IOException {
        String source = Files.readString(Path.of("src", "test", "java", "dev", "bridge", "app", "LibraryReadmeIT.java"));
        Matcher inTest = Pattern.compile("// README snippet begins\\n(.*?)\\n\\s*// README snippet ends", Pattern.DOTALL).matcher(source);
        assertThat(inTest.find()).isTrue();
        String snippet = inTest.group(1).lines().map(l -> l.startsWith("            ") ? l.substring(12) : l)
                .collect(Collectors.joining("\n"));
        Matcher inReadme = Pattern.compile("## Using the modules as a library\\n.*?```java\\n(.*?)\\n```", Pattern.DOTALL)
                .matcher(Files.readString(README));
        assertThat(inReadme.find()).as("README has a java block under 'Using the modules as a library'").isTrue();
        assertThat(inReadme.group(1)).isEqualTo(snippet);
    }

    @Test
    void theReadmeSnippetDeliversACapturedRowToRedisAndASignedWebhook() throws Exception {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        String hookSecret = "whsec_" + Base64.getEncoder().encodeToString(key);
        Queue<JsonNode> hooks = new ConcurrentLinkedQueue<>();
        Queue<String> badSignatures = new ConcurrentLinkedQueue<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hooks", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String signed = exchange.getRequestHeaders().getFirst("webhook-id") + "."
                    + exchange.getRequestHeaders().getFirst("webhook-timestamp") + ".";
            if (!EndToEndIT.signatureValid(key, signed, body, exchange.getRequestHeaders().getFirst("webhook-signature"))) {
                badSignatures.add(signed);
            }
            hooks.add(JSON.readTree(body));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        int redisPort = EndToEndIT.freePort();
        RedisServer redis = RedisServer.newRedisServer().port(redisPort).bind("127.0.0.1").setting("save \"\"").build();
        redis.start();
        RedisClient client = RedisClient.create("redis://127.0.0.1:" + redisPort);
        DeliveryEngine engine = null;
        try (EmbeddedPostgres server = EmbeddedPostgres.builder().start()) {
            String password = "owner-pw";
            try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE ROLE shop LOGIN PASSWORD 'shop-pw'");
                s.execute("CREATE ROLE bridge_owner LOGIN PASSWORD '" + password + "'");
                s.execute("GRANT CREATE ON DATABASE postgres TO bridge_owner");
                s.execute("GRANT CREATE ON SCHEMA public TO shop");
            }
            String jdbcUrl = "jdbc:postgresql://127.0.0.1:" + server.getPort() + "/postgres";
            DataSource shop = dataSource(jdbcUrl, "shop", "shop-pw");
            try (Connection c = shop.getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE public.orders (id int PRIMARY KEY, total_cents int)");
                s.execute("GRANT TRIGGER ON public.orders TO bridge_owner");
            }
            DataSource dataSource = dataSource(jdbcUrl, "bridge_owner", password);
            String redisUri = "redis://127.0.0.1:" + redisPort + "/0";
            String hookUrl = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks";
            Queue<JsonNode> published = new ConcurrentLinkedQueue<>();
            StatefulRedisPubSubConnection<String, String> subscriber = client.connectPubSub();
            subscriber.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    try {
                        published.add(JSON.readTree(message));
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            subscriber.sync().subscribe("bridge:public.orders");

            // README snippet begins
            BridgePostgres pg = BridgePostgres.create(dataSource, ConnectionFactory.of(jdbcUrl, "bridge_owner", password));
            pg.schema().install();
            pg.capture().add("public.orders");

            DeliveryEngine bridge = DeliveryEngine.builder("my-service")
                    .source(pg)
                    .sink(RedisSinkProvider.sink("cache", RedisSinkOptions.pubsub(redisUri)))
                    .sink(WebhookSinkProvider.sink("billing", WebhookSinkOptions.to(hookUrl).signedWith(hookSecret)),
                            SinkFilter.buckets("public.orders"), WebhookSinkProvider.deliveryPolicy())
                    .build();
            bridge.start();                      // ... bridge.stop() drains and saves the checkpoint
            // README snippet ends
            engine = bridge;

            try (Connection c = shop.getConnection(); Statement s = c.createStatement()) {
                s.execute("INSERT INTO public.orders VALUES (1, 950)");
                s.execute("UPDATE public.orders SET total_cents = 1200 WHERE id = 1");
            }
            EndToEndIT.await(Duration.ofSeconds(30), () -> published.size() >= 2 && hooks.size() >= 2);
            for (Queue<JsonNode> delivered : List.of(published, hooks)) {
                assertThat(delivered).extracting(c -> c.get("op").asText()).containsExactly("INSERT", "UPDATE");
                assertThat(delivered).extracting(c -> c.get("val").get("total_cents").asInt()).containsExactly(950, 1200);
            }
            assertThat(badSignatures).isEmpty();
            assertThat(bridge.stop()).isTrue();
            engine = null;
            assertThat(pg.consumers().list()).anySatisfy(consumer -> {
                assertThat(consumer.name()).isEqualTo("my-service");
                assertThat(consumer.pending()).isZero();
            });
        } finally {
            if (engine != null) {
                engine.stop(Duration.ZERO);
            }
            client.shutdown();
            receiver.stop(0);
            redis.stop();
        }
    }

    private static DataSource dataSource(String url, String user, String password) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(url);
        ds.setUser(user);
        ds.setPassword(password);
        return ds;
    }
}
