package dev.bridge.benchmarks.load;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.bridge.core.engine.DeliveryPolicy;
import dev.bridge.core.engine.EngineOptions;
import dev.bridge.core.engine.RetryPolicy;
import dev.bridge.core.sink.MapSinkSettings;
import java.util.HashMap;
import java.util.Map;

/**
 * Bridge as it ships: the engine, delivery and Redis sink settings read from the modules'
 * {@code reference.conf} (the daemon's defaults), so the load test measures what a user gets
 * without repeating any default here.
 */
final class ShippedDefaults {

    private final Config reference = ConfigFactory.defaultReference();

    DeliveryPolicy deliveryPolicy() {
        Config d = reference.getConfig("bridge.sink.defaults.delivery");
        Config r = d.getConfig("retry");
        RetryPolicy retry = new RetryPolicy(r.getDuration("initial-backoff"), r.getDuration("max-backoff"),
                r.getDurationList("schedule"), r.getInt("max-attempts"), r.getDuration("max-age"));
        return new DeliveryPolicy(d.getInt("parallelism"), d.getInt("batch-size"), d.getDuration("linger"),
                d.getInt("buffer-changes"), d.getBytes("buffer-bytes"), d.getDuration("ack-timeout"), retry);
    }

    EngineOptions engineOptions() {
        return new EngineOptions(reference.getDuration("bridge.engine.checkpoint-interval"),
                reference.getDuration("bridge.engine.shutdown-deadline"));
    }

    /** Every key of {@code bridge.sink.redis}, with the pub/sub mode, server and channel of the test. */
    MapSinkSettings redisPubSub(String uri, String channel) {
        Map<String, Object> values = new HashMap<>(reference.getConfig("bridge.sink.redis").root().unwrapped());
        values.put("uri", uri);
        values.put("mode", "pubsub");
        values.put("channel", channel);
        return new MapSinkSettings("load-test.sink", values);
    }
}
