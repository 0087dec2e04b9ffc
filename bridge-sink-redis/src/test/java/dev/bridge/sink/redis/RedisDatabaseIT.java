package dev.bridge.sink.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bridge.core.Change;
import dev.bridge.core.Json;
import dev.bridge.core.Op;
import dev.bridge.core.port.Ack;
import dev.bridge.core.port.ChangeSink;
import dev.bridge.sink.tck.RecordingAcknowledger;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A URI's password and database are used: the change lands in the database the URI names. */
class RedisDatabaseIT {

    @Test
    void writesToTheDatabaseTheUriNamesWithItsPassword() {
        try (TestRedis redis = new TestRedis("requirepass s3cret")) {
            String base = "redis://:s3cret@127.0.0.1:" + redis.port;
            ChangeSink sink = RedisSinkProvider.sink("db3", RedisSinkOptions.stream(base + "/3"));
            sink.start();
            RedisClient db3 = RedisClient.create(base + "/3");
            RedisClient db0 = RedisClient.create(base + "/0");
            try (StatefulRedisConnection<String, String> in3 = db3.connect(); StatefulRedisConnection<String, String> in0 = db0.connect()) {
                Change change = new Change(Op.INSERT, "orders", "1", 1, Instant.now(), Json.parse("{}"), null, 5);
                RecordingAcknowledger acks = new RecordingAcknowledger(List.of(change));
                sink.deliver(List.of(change), acks);
                assertThat(acks.awaitAll(Duration.ofSeconds(10))).singleElement().isInstanceOf(Ack.Delivered.class);

                assertThat(in3.sync().xrange("bridge:orders", Range.create("-", "+"))).hasSize(1);
                assertThat(in0.sync().exists("bridge:orders")).isZero();
            } finally {
                sink.stop();
                db3.shutdown();
                db0.shutdown();
            }
        }
    }
}
