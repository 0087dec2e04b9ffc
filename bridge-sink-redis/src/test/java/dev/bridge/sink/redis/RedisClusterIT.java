package dev.bridge.sink.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bridge.core.Change;
import dev.bridge.core.ChangeJson;
import dev.bridge.core.Json;
import dev.bridge.core.Op;
import dev.bridge.core.port.Ack;
import dev.bridge.core.port.ChangeSink;
import dev.bridge.sink.tck.RecordingAcknowledger;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The sink against a real three-node Redis Cluster: streams land on their nodes once each, pub/sub reaches every node. */
class RedisClusterIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final List<TestRedis> NODES = new ArrayList<>();
    private static RedisClusterClient client;
    private static StatefulRedisClusterConnection<String, String> cluster;

    @BeforeAll
    static void formCluster() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            NODES.add(new TestRedis("cluster-enabled yes", "cluster-config-file nodes.conf", "cluster-node-timeout 5000"));
        }
        for (TestRedis node : NODES.subList(1, 3)) {
            NODES.get(0).admin().clusterMeet("127.0.0.1", node.port);
        }
        int[] bounds = {0, 5461, 10923, 16384};
        for (int n = 0; n < 3; n++) {
            NODES.get(n).admin().clusterAddSlots(IntStream.range(bounds[n], bounds[n + 1]).toArray());
        }
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!NODES.stream().allMatch(n -> n.admin().clusterInfo().contains("cluster_state:ok")
                && n.admin().clusterNodes().lines().count() == 3)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the cluster did not form: " + NODES.get(0).admin().clusterInfo());
            }
            Thread.sleep(100);
        }
        client = RedisClusterClient.create(NODES.get(0).uri());
        cluster = client.connect();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
            client.shutdown();
        }
        NODES.forEach(TestRedis::close);
    }

    private static ChangeSink sink(String name, RedisSinkOptions.Mode mode, String target) {
        ChangeSink sink = RedisSinkProvider.sink(name, RedisSinkOptions.pubsub(NODES.get(1).uri()).withMode(mode).withTarget(target).inCluster());
        sink.start();
        return sink;
    }

    private static List<Change> changes(int buckets, long firstSeq) {
        List<Change> batch = new ArrayList<>();
        for (int b = 0; b < buckets; b++) {
            batch.add(new Change(Op.INSERT, "bucket" + b, "id" + b, 1, Instant.parse("2026-11-24T10:00:00Z"),
                    Json.parse("{\"b\":" + b + "}"), null, firstSeq + b));
        }
        return batch;
    }

    @Test
    void streamsLandOnTheirNodesAndARepeatIsNotAddedTwice() {
        ChangeSink sink = sink("cluster-stream", RedisSinkOptions.Mode.STREAM, "bridge:{{bucket}}");
        try {
            List<Change> batch = changes(12, 1);
            for (int round = 0; round < 2; round++) {
                RecordingAcknowledger acks = new RecordingAcknowledger(batch);
                sink.deliver(batch, acks);
                assertThat(acks.awaitAll(WAIT)).allMatch(ack -> ack instanceof Ack.Delivered);
                acks.assertNoViolations();
            }
            List<Integer> slots = new ArrayList<>();
            for (Change change : batch) {
                String key = "bridge:{" + change.bucket() + "}";
                List<StreamMessage<String, String>> entries = cluster.sync().xrange(key, io.lettuce.core.Range.create("-", "+"));
                assertThat(entries).as(key).hasSize(1);
                assertThat(entries.get(0).getBody().get("change")).isEqualTo(new String(ChangeJson.toBytes(change), StandardCharsets.UTF_8));
                assertThat(entries.get(0).getBody().get("seq")).isEqualTo(Long.toString(change.seq()));
                slots.add(cluster.sync().clusterKeyslot(key).intValue());
            }
            assertThat(slots.stream().map(slot -> slot < 5461 ? 0 : slot < 10923 ? 1 : 2).distinct().count())
                    .as("the buckets spread over the nodes").isGreaterThan(1);
        } finally {
            sink.stop();
        }
    }

    @Test
    void pubSubReachesASubscriberOnAnyNode() {
        RedisClient plain = RedisClient.create(NODES.get(2).uri());
        List<String> received = new CopyOnWriteArrayList<>();
        try (StatefulRedisPubSubConnection<String, String> subscriber = plain.connectPubSub()) {
            subscriber.addListener(new io.lettuce.core.pubsub.RedisPubSubAdapter<>() {
                @Override
                public void message(String pattern, String channel, String message) {
                    received.add(channel + " " + message);
                }
            });
            subscriber.sync().psubscribe("bridge:*");
            ChangeSink sink = sink("cluster-pubsub", RedisSinkOptions.Mode.PUBSUB, "bridge:{bucket}");
            try {
                List<Change> batch = new ArrayList<>(changes(5, 100));
                for (long v = 2; v <= 3; v++) {
                    batch.add(new Change(Op.UPDATE, "bucket0", "id0", v, Instant.parse("2026-11-24T10:00:00Z"),
                            Json.parse("{\"b\":" + v + "}"), null, 200 + v));
                }
                RecordingAcknowledger acks = new RecordingAcknowledger(batch);
                sink.deliver(batch, acks);
                assertThat(acks.awaitAll(WAIT)).allMatch(ack -> ack instanceof Ack.Delivered);
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (received.size() < batch.size() && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                // Each channel is routed to its slot's node, so only one key's changes have an order to keep.
                List<String> expected = batch.stream()
                        .map(c -> "bridge:" + c.bucket() + " " + new String(ChangeJson.toBytes(c), StandardCharsets.UTF_8)).toList();
                assertThat(received).containsExactlyInAnyOrderElementsOf(expected);
                assertThat(received.stream().filter(m -> m.startsWith("bridge:bucket0 ")).toList())
                        .containsExactlyElementsOf(expected.stream().filter(m -> m.startsWith("bridge:bucket0 ")).toList());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                sink.stop();
            }
        } finally {
            plain.shutdown();
        }
    }
}
