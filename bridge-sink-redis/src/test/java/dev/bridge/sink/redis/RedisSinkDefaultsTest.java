package dev.bridge.sink.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.bridge.core.settings.MapSettings;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The daemon's Redis defaults (this module's reference.conf) are those a library user gets in code. */
class RedisSinkDefaultsTest {

    @Test
    void aBlockOfReferenceDefaultsBuildsTheOptionsOfPubsub() {
        Map<String, Object> block = new HashMap<>(ConfigFactory.defaultReference().getConfig("bridge.sink.redis").root().unwrapped());
        RedisSink sink = (RedisSink) new RedisSinkProvider().create("cache", new MapSettings("bridge.sinks[0]", block));
        assertThat(sink.options()).isEqualTo(RedisSinkOptions.pubsub((String) block.get("uri")));

        block.put("mode", "stream");
        RedisSink stream = (RedisSink) new RedisSinkProvider().create("cache", new MapSettings("bridge.sinks[0]", block));
        assertThat(stream.options()).isEqualTo(RedisSinkOptions.stream((String) block.get("uri")));
    }
}
