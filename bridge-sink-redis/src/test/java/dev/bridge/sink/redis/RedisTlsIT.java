package dev.bridge.sink.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bridge.core.BridgeException;
import dev.bridge.core.Change;
import dev.bridge.core.ChangeJson;
import dev.bridge.core.Json;
import dev.bridge.core.Op;
import dev.bridge.core.port.Ack;
import dev.bridge.core.port.ChangeSink;
import dev.bridge.sink.tck.RecordingAcknowledger;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code rediss://} against a real Redis behind a TLS-terminating proxy with a self-signed
 * certificate (embedded Redis 6.2 has no TLS of its own); what the sink sends is read back from the
 * Redis behind it over a plain connection.
 */
@Timeout(60)
class RedisTlsIT {

    private static TestRedis redis;
    private static TlsProxy proxy;
    private static long seq = 1;

    @BeforeAll
    static void start() {
        redis = new TestRedis();
        proxy = new TlsProxy(redis.port, "ip:127.0.0.1,dns:localhost");
    }

    @AfterAll
    static void stop() {
        proxy.close();
        redis.close();
    }

    @BeforeEach
    void emptyRedis() {
        redis.admin().flushall();
    }

    @Test
    void publishesThroughTlsVerifyingTheCertificateAndItsHostAgainstTheCaFile() throws Exception {
        RedisClient client = RedisClient.create(redis.uri());
        List<String> messages = new CopyOnWriteArrayList<>();
        ChangeSink sink = sink(RedisSinkOptions.Mode.PUBSUB, RedisSinkOptions.TlsVerify.FULL, Optional.of(proxy.caFile));
        try (StatefulRedisPubSubConnection<byte[], byte[]> sub = client.connectPubSub(ByteArrayCodec.INSTANCE)) {
            sub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(byte[] channel, byte[] message) {
                    messages.add(new String(message, StandardCharsets.UTF_8));
                }
            });
            sub.sync().subscribe(TestRedis.bytes("bridge:orders"));
            sink.start();
            List<Change> batch = List.of(change("a"), change("b"), change("c"));

            assertThat(deliver(sink, batch)).containsOnly(Ack.delivered()).hasSize(3);

            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (messages.size() < batch.size() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(messages).containsExactlyElementsOf(batch.stream().map(ChangeJson::toJson).toList());
        } finally {
            sink.stop();
            client.shutdown();
        }
    }

    @Test
    void addsToAStreamThroughTlsWithTheRepeatCheck() {
        ChangeSink sink = sink(RedisSinkOptions.Mode.STREAM, RedisSinkOptions.TlsVerify.CA, Optional.of(proxy.caFile));
        sink.start();
        try {
            List<Change> batch = List.of(change("a"), change("b"));

            assertThat(deliver(sink, batch)).containsOnly(Ack.delivered()).hasSize(2);
            assertThat(deliver(sink, batch)).containsOnly(Ack.delivered()).hasSize(2);

            List<String> stored = redis.admin().xrange(TestRedis.bytes("bridge:orders"), Range.create("-", "+")).stream()
                    .map(e -> new String(RedisStreamSinkContractIT.field(e, "change"), StandardCharsets.UTF_8))
                    .toList();
            assertThat(stored).containsExactlyElementsOf(batch.stream().map(ChangeJson::toJson).toList());
        } finally {
            sink.stop();
        }
    }

    @Test
    void aCertificateTheJdkDoesNotTrustIsAClearErrorNamingTheTlsSettings() {
        ChangeSink sink = sink(RedisSinkOptions.Mode.PUBSUB, RedisSinkOptions.TlsVerify.FULL, Optional.empty());

        assertThatThrownBy(sink::start)
                .isInstanceOf(BridgeException.class)
                .hasMessageStartingWith("redis sink 'tls' could not connect to redis at rediss://127.0.0.1:" + proxy.port + " (")
                .hasMessageContaining("check the sink's tls-verify and tls-ca-file");
    }

    @Test
    void aMissingCaFileIsAClearError() {
        ChangeSink sink = sink(RedisSinkOptions.Mode.PUBSUB, RedisSinkOptions.TlsVerify.FULL,
                Optional.of(Path.of("/nonexistent/bridge-ca.pem")));

        assertThatThrownBy(sink::start)
                .isInstanceOf(BridgeException.class)
                .hasMessage("redis sink 'tls' cannot read its tls-ca-file /nonexistent/bridge-ca.pem; check the sink's "
                        + "tls-ca-file and that the file exists and is readable");
    }

    @Test
    void fullChecksTheHostAndCaDoesNot() {
        try (TlsProxy otherHost = new TlsProxy(redis.port, "dns:redis.example.com")) {
            String uri = "rediss://127.0.0.1:" + otherHost.port;
            ChangeSink full = RedisSinkProvider.sink("full", RedisSinkOptions.stream(uri)
                    .withTls(RedisSinkOptions.TlsVerify.FULL, Optional.of(otherHost.caFile)));
            assertThatThrownBy(full::start)
                    .isInstanceOf(BridgeException.class)
                    .hasMessageContaining("check the sink's tls-verify and tls-ca-file");

            ChangeSink ca = RedisSinkProvider.sink("ca", RedisSinkOptions.stream(uri)
                    .withTls(RedisSinkOptions.TlsVerify.CA, Optional.of(otherHost.caFile)));
            ca.start();
            try {
                assertThat(deliver(ca, List.of(change("a")))).containsExactly(Ack.delivered());
            } finally {
                ca.stop();
            }
        }
    }

    @Test
    void verifyNoneConnectsWithoutTrustingTheCertificate() {
        ChangeSink sink = sink(RedisSinkOptions.Mode.STREAM, RedisSinkOptions.TlsVerify.NONE, Optional.empty());
        sink.start();
        try {
            assertThat(deliver(sink, List.of(change("a")))).containsExactly(Ack.delivered());
            assertThat(redis.admin().xlen(TestRedis.bytes("bridge:orders"))).isEqualTo(1);
        } finally {
            sink.stop();
        }
    }

    private static ChangeSink sink(RedisSinkOptions.Mode mode, RedisSinkOptions.TlsVerify verify, Optional<Path> caFile) {
        return RedisSinkProvider.sink("tls", RedisSinkOptions.pubsub("rediss://127.0.0.1:" + proxy.port).withMode(mode).withTls(verify, caFile));
    }

    private static List<Ack> deliver(ChangeSink sink, List<Change> batch) {
        RecordingAcknowledger acks = new RecordingAcknowledger(batch);
        sink.deliver(batch, acks);
        return acks.awaitAll(Duration.ofSeconds(10));
    }

    private static Change change(String id) {
        long s = seq++;
        return new Change(Op.INSERT, "orders", id, 1, Instant.parse("2026-11-24T10:15:30.123456Z").plusSeconds(s),
                Json.of(Map.of("id", id)), null, s);
    }
}
