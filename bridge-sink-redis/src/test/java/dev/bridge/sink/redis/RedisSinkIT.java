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
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Outages, big changes, a real XREAD reader and connection errors, against a real Redis. */
@Timeout(120)
class RedisSinkIT {

    private static TestRedis redis;
    private static long seq = 1;

    @BeforeAll
    static void startRedis() {
        redis = new TestRedis();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @BeforeEach
    void emptyRedis() {
        redis.start();
        redis.admin().flushall();
    }

    @Test
    @SuppressWarnings("unchecked") // XREAD's varargs of generic offsets
    void streamHasEveryChangeExactlyOnceAcrossAnOutageAndAnXreadClientSeesThemInOrder() throws Exception {
        ChangeSink sink = sink(RedisSinkOptions.Mode.STREAM, "events:{bucket}");
        sink.start();
        try {
            List<Change> all = new ArrayList<>();
            for (int round = 0; round < 30; round++) {
                List<Change> batch = List.of(change("a", round + 1, "x"), change("b", round + 1, "y"));
                all.addAll(batch);
                if (round == 10) {
                    redis.stop();
                }
                if (round == 10) {
                    // Deliveries while Redis is down are retried, as the engine would, until it is back.
                    Thread.sleep(3000);
                    redis.start();
                }
                deliverUntilDelivered(sink, batch);
                // A repeat of what Redis already has is acknowledged without a second entry.
                deliverUntilDelivered(sink, batch);
            }

            List<StreamMessage<byte[], byte[]>> entries = redis.admin().xread(XReadArgs.Builder.count(1000),
                    XReadArgs.StreamOffset.from(TestRedis.bytes("events:orders"), "0-0"));
            List<byte[]> json = entries.stream().map(e -> RedisStreamSinkContractIT.field(e, "change")).toList();
            assertThat(json).hasSize(all.size());
            for (int i = 0; i < all.size(); i++) {
                assertThat(new String(json.get(i), StandardCharsets.UTF_8)).isEqualTo(ChangeJson.toJson(all.get(i)));
            }
        } finally {
            sink.stop();
        }
    }

    @Test
    void aSinkServesOneEngineOnceSoASecondStartIsRefused() {
        ChangeSink sink = sink(RedisSinkOptions.Mode.PUBSUB, "c");
        sink.start();
        try {
            assertThatThrownBy(sink::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("was started before; a sink serves one engine, once");
        } finally {
            sink.stop();
        }
    }

    @Test
    void onlyAChangeThatWasAddedIsARepeatSoAReplayedOlderDeadLetterIsAdded() {
        ChangeSink sink = sink(RedisSinkOptions.Mode.STREAM, "replay:{bucket}");
        sink.start();
        try {
            // 5 and 9 went out; 7 was dead-lettered in between and is replayed after 9.
            Change five = atSeq("k", 5, "a");
            Change seven = atSeq("k", 7, "b");
            Change nine = atSeq("k", 9, "c");
            assertThat(deliver(sink, List.of(five))).containsExactly(Ack.delivered());
            assertThat(deliver(sink, List.of(nine))).containsExactly(Ack.delivered());
            assertThat(deliver(sink, List.of(seven))).as("never added, so not a repeat").containsExactly(Ack.delivered());
            assertThat(deliver(sink, List.of(five))).as("added before: a repeat").containsExactly(Ack.delivered());
            assertThat(deliver(sink, List.of(seven))).containsExactly(Ack.delivered());
            assertThat(deliver(sink, List.of(atSeq("k", 3, "older than all")))).containsExactly(Ack.delivered());
            assertThat(seqsIn("replay:orders")).containsExactly("5", "9", "7", "3");

            // The repeat check remembers the newest of an object's seqs; one older than those is added again.
            for (int s = 10; s < 10 + RedisSink.SEEN_PER_OBJECT; s++) {
                deliver(sink, List.of(atSeq("k", s, "n")));
            }
            deliver(sink, List.of(atSeq("k", 10 + RedisSink.SEEN_PER_OBJECT - 1, "n")));
            deliver(sink, List.of(nine));
            List<String> seqs = seqsIn("replay:orders");
            assertThat(seqs.subList(4, seqs.size())).as("the newest is a repeat; 9 is too old to tell, and is added again")
                    .containsExactly("10", "11", "12", "13", "14", "15", "16", "17", "9");
        } finally {
            sink.stop();
        }
    }

    @SuppressWarnings("unchecked") // XREAD's varargs of generic offsets
    private static List<String> seqsIn(String stream) {
        return redis.admin().xread(XReadArgs.Builder.count(1000), XReadArgs.StreamOffset.from(TestRedis.bytes(stream), "0-0")).stream()
                .map(e -> new String(RedisStreamSinkContractIT.field(e, "seq"), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void pubSubResumesByItselfAfterAnOutage() throws Exception {
        RedisClient client = RedisClient.create(redis.uri());
        List<String> messages = new CopyOnWriteArrayList<>();
        ChangeSink sink = sink(RedisSinkOptions.Mode.PUBSUB, "bridge:{bucket}");
        try (StatefulRedisPubSubConnection<byte[], byte[]> sub = client.connectPubSub(ByteArrayCodec.INSTANCE)) {
            sub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(byte[] channel, byte[] message) {
                    messages.add(new String(message, StandardCharsets.UTF_8));
                }
            });
            sub.sync().subscribe(TestRedis.bytes("bridge:orders"));
            sink.start();
            Change before = change("a", 1, "x");
            assertThat(deliver(sink, List.of(before))).containsExactly(Ack.delivered());

            redis.stop();
            Change during = change("a", 2, "x");
            assertThat(deliver(sink, List.of(during))).singleElement().isInstanceOf(Ack.Retry.class);
            Thread.sleep(3000);
            redis.start();

            // Once both connections are back, the subscriber gets a change published again.
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            Change after = change("a", 3, "x");
            while (!messages.contains(ChangeJson.toJson(after)) && System.nanoTime() < deadline) {
                deliver(sink, List.of(after));
                Thread.sleep(200);
            }
            assertThat(messages).contains(ChangeJson.toJson(before), ChangeJson.toJson(after));
        } finally {
            sink.stop();
            client.shutdown();
        }
    }

    @Test
    void aOneMegabyteChangeArrivesWhole() {
        ChangeSink sink = sink(RedisSinkOptions.Mode.STREAM, "bridge:{bucket}");
        sink.start();
        try {
            Change big = change("big", 1, "é".repeat(512 * 1024));
            assertThat(ChangeJson.toBytes(big).length).isGreaterThan(1024 * 1024);

            assertThat(deliver(sink, List.of(big))).containsExactly(Ack.delivered());

            byte[] stored = RedisStreamSinkContractIT.field(redis.admin().xrange(TestRedis.bytes("bridge:orders"),
                    io.lettuce.core.Range.create("-", "+")).get(0), "change");
            assertThat(stored).isEqualTo(ChangeJson.toBytes(big));
        } finally {
            sink.stop();
        }
    }

    @Test
    void aWrongPasswordIsAClearErrorWithoutThePassword() {
        try (TestRedis guarded = new TestRedis("requirepass right-one")) {
            ChangeSink sink = RedisSinkProvider.sink("guarded", RedisSinkOptions.pubsub("redis://:wrong-one@127.0.0.1:" + guarded.port + "/0")
                    .withTarget("c").withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2)));

            assertThatThrownBy(sink::start)
                    .isInstanceOf(BridgeException.class)
                    .hasMessageStartingWith("redis sink 'guarded' could not connect to redis at redis://***@127.0.0.1:" + guarded.port + "/0 (")
                    .hasMessageContaining("WRONGPASS")
                    .hasMessageNotContaining("wrong-one");
        }
    }

    @Test
    void anUnreachableHostIsAClearErrorWithoutThePassword() throws Exception {
        int closed = TestRedis.freePort();
        ChangeSink sink = RedisSinkProvider.sink("nowhere", RedisSinkOptions.stream("redis://u:secret@127.0.0.1:" + closed)
                .withTarget("s").withMaxLen(10).withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2)));

        assertThatThrownBy(sink::start)
                .isInstanceOf(BridgeException.class)
                .hasMessageStartingWith("redis sink 'nowhere' could not connect to redis at redis://***@127.0.0.1:" + closed + " (")
                .hasMessageContaining("refused")
                .hasMessageNotContaining("secret");
    }

    private static ChangeSink sink(RedisSinkOptions.Mode mode, String target) {
        return RedisSinkProvider.sink("it", RedisSinkOptions.pubsub(redis.uri()).withMode(mode)
                .withTarget(target).withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2)));
    }

    private static List<Ack> deliver(ChangeSink sink, List<Change> batch) {
        RecordingAcknowledger acks = new RecordingAcknowledger(batch);
        sink.deliver(batch, acks);
        return acks.awaitAll(Duration.ofSeconds(10));
    }

    private static void deliverUntilDelivered(ChangeSink sink, List<Change> batch) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        List<Change> pending = batch;
        while (!pending.isEmpty()) {
            RecordingAcknowledger acks = new RecordingAcknowledger(pending);
            sink.deliver(pending, acks);
            acks.awaitAll(Duration.ofSeconds(10));
            assertThat(acks.acknowledgedAs(Ack.Failed.class)).isEmpty();
            pending = acks.acknowledgedAs(Ack.Retry.class);
            assertThat(System.nanoTime()).as("still retried after 30 s: %s", acks.acknowledged()).isLessThan(deadline);
            if (!pending.isEmpty()) {
                Thread.sleep(100);
            }
        }
    }

    private static Change atSeq(String id, long seq, String note) {
        return new Change(Op.UPDATE, "orders", id, 0, Instant.parse("2026-11-24T10:15:30.123456Z"),
                Json.of(Map.of("id", id, "note", note)), null, seq);
    }

    private static Change change(String id, long version, String note) {
        long s = seq++;
        return new Change(version == 1 ? Op.INSERT : Op.UPDATE, "orders", id, version, Instant.parse("2026-11-24T10:15:30.123456Z").plusSeconds(s),
                Json.of(Map.of("id", id, "version", version, "note", note)), null, s);
    }
}
