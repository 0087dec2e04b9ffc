package dev.bridge.sink.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bridge.core.Change;
import dev.bridge.core.Json;
import dev.bridge.core.Op;
import dev.bridge.core.port.Ack;
import dev.bridge.core.port.ChangeSink;
import dev.bridge.sink.tck.RecordingAcknowledger;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A Redis that stops answering: every command gives up after the command timeout, and the change is retried. */
class RedisTimeoutIT {

    @Test
    void aCommandThatGetsNoReplyInTimeIsAcknowledgedAsRetry() {
        try (TestRedis redis = new TestRedis()) {
            ChangeSink sink = RedisSinkProvider.sink("slow", RedisSinkOptions.pubsub(redis.uri())
                    .withTimeouts(Duration.ofMillis(300), Duration.ofSeconds(5)));
            sink.start();
            RedisClient blocker = RedisClient.create(redis.uri());
            try (StatefulRedisConnection<String, String> blocking = blocker.connect()) {
                // DEBUG SLEEP stalls the whole server, as an overloaded or paused Redis would.
                blocking.async().dispatch(CommandType.DEBUG, new StatusOutput<>(StringCodec.UTF8),
                        new CommandArgs<>(StringCodec.UTF8).add("SLEEP").add(2));
                Thread.sleep(100);
                Change change = new Change(Op.INSERT, "b", "1", 1, Instant.now(), Json.parse("{}"), null, 1);
                RecordingAcknowledger acks = new RecordingAcknowledger(List.of(change));
                long started = System.nanoTime();

                sink.deliver(List.of(change), acks);
                List<Ack> result = acks.awaitAll(Duration.ofSeconds(10));

                long tookMillis = (System.nanoTime() - started) / 1_000_000;
                assertThat(result).singleElement().isInstanceOfSatisfying(Ack.Retry.class,
                        retry -> assertThat(retry.reason()).startsWith("no reply from redis at redis://127.0.0.1:").endsWith("within PT0.3S"));
                assertThat(tookMillis).as("gave up after the command timeout, not the server's 2 s").isLessThan(1_500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                sink.stop();
                blocker.shutdown();
            }
        }
    }
}
