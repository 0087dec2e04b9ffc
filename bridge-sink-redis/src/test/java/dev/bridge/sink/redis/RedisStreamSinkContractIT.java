package dev.bridge.sink.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bridge.core.Change;
import dev.bridge.core.ChangeJson;
import dev.bridge.core.port.ChangeSink;
import dev.bridge.sink.tck.ChangeSinkContract;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

class RedisStreamSinkContractIT extends ChangeSinkContract {

    private static final byte[] STREAM = TestRedis.bytes("bridge:" + BUCKET);
    private static TestRedis redis;

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

    @Override
    protected ChangeSink newSink(String name) {
        return RedisSinkProvider.sink(name, RedisSinkOptions.stream(redis.uri())
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2)));
    }

    /** Each entry's change, checked to carry its seq as the entry's seq field and the exact JSON. */
    @Override
    protected List<Change> received() {
        List<Change> changes = new ArrayList<>();
        for (StreamMessage<byte[], byte[]> entry : redis.admin().xrange(STREAM, Range.create("-", "+"))) {
            byte[] json = field(entry, "change");
            Change change = ChangeJson.read(new String(json, StandardCharsets.UTF_8));
            assertThat(json).isEqualTo(ChangeJson.toBytes(change));
            assertThat(new String(field(entry, "seq"), StandardCharsets.US_ASCII)).isEqualTo(Long.toString(change.seq()));
            changes.add(change);
        }
        return changes;
    }

    @Override
    protected boolean breakDestinationTransiently() {
        redis.stop();
        return true;
    }

    @Override
    protected boolean breakDestinationPermanently() {
        redis.admin().set(STREAM, TestRedis.bytes("not a stream"));
        return true;
    }

    @Override
    protected void restoreDestination() {
        redis.start();
        redis.admin().del(STREAM);
    }

    static byte[] field(StreamMessage<byte[], byte[]> entry, String name) {
        return entry.getBody().entrySet().stream()
                .filter(e -> new String(e.getKey(), StandardCharsets.UTF_8).equals(name))
                .map(java.util.Map.Entry::getValue)
                .findFirst()
                .orElseThrow(() -> new AssertionError("stream entry " + entry.getId() + " lacks the field " + name));
    }
}
