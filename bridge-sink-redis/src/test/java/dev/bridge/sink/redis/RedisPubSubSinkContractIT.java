package dev.bridge.sink.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bridge.core.Change;
import dev.bridge.core.ChangeJson;
import dev.bridge.core.port.ChangeSink;
import dev.bridge.sink.tck.ChangeSinkContract;
import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * Pub/sub through a real SUBSCRIBE client. The sink logs in as its own ACL user, so that taking the
 * PUBLISH right away breaks it for good. A transient break is not offered here: a subscriber misses
 * what is published while it reconnects, so {@link RedisSinkIT} checks that pub/sub resumes.
 */
class RedisPubSubSinkContractIT extends ChangeSinkContract {

    private static final String CHANNEL = "bridge:" + BUCKET;
    private static TestRedis redis;
    private static RedisClient subscriberClient;
    private final List<byte[]> messages = new CopyOnWriteArrayList<>();
    private StatefulRedisPubSubConnection<byte[], byte[]> subscriber;

    @BeforeAll
    static void startRedis() {
        redis = new TestRedis();
        subscriberClient = RedisClient.create(redis.uri());
    }

    @AfterAll
    static void stopRedis() {
        subscriberClient.shutdown();
        redis.close();
    }

    @BeforeEach
    void subscribe() {
        redis.admin().aclSetuser("bridge",
                io.lettuce.core.AclSetuserArgs.Builder.on().addPassword("pw").keyPattern("*").channelPattern("*").addCommand(
                        io.lettuce.core.protocol.CommandType.PUBLISH).allCommands());
        subscriber = subscriberClient.connectPubSub(ByteArrayCodec.INSTANCE);
        subscriber.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(byte[] channel, byte[] message) {
                if (new String(channel, StandardCharsets.UTF_8).equals(CHANNEL)) {
                    messages.add(message);
                }
            }
        });
        subscriber.sync().subscribe(TestRedis.bytes(CHANNEL));
    }

    @AfterEach
    void unsubscribe() {
        subscriber.close();
    }

    @Override
    protected ChangeSink newSink(String name) {
        return RedisSinkProvider.sink(name, RedisSinkOptions.pubsub("redis://bridge:pw@127.0.0.1:" + redis.port)
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2)));
    }

    @Override
    protected List<Change> received() {
        List<Change> changes = new ArrayList<>();
        for (byte[] json : messages) {
            Change change = ChangeJson.read(new String(json, StandardCharsets.UTF_8));
            assertThat(json).as("the message's bytes").isEqualTo(ChangeJson.toBytes(change));
            changes.add(change);
        }
        return changes;
    }

    @Override
    protected boolean breakDestinationPermanently() {
        redis.admin().aclSetuser("bridge", io.lettuce.core.AclSetuserArgs.Builder.removeCommand(io.lettuce.core.protocol.CommandType.PUBLISH));
        return true;
    }

    @Override
    protected void restoreDestination() {
        redis.admin().aclSetuser("bridge", io.lettuce.core.AclSetuserArgs.Builder.addCommand(io.lettuce.core.protocol.CommandType.PUBLISH));
    }
}
