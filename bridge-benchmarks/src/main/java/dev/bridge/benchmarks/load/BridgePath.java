package dev.bridge.benchmarks.load;

import dev.bridge.core.engine.DeliveryEngine;
import dev.bridge.core.engine.DeliveryObserver;
import dev.bridge.core.engine.SinkBinding;
import dev.bridge.core.engine.SinkFilter;
import dev.bridge.core.port.ChangeSink;
import dev.bridge.postgres.BridgePostgres;
import dev.bridge.sink.redis.RedisSinkProvider;
import java.time.Duration;
import java.util.List;

/**
 * Bridge's path as a user assembles it from the libraries: the capture trigger that
 * {@code install()} put on {@code bridge_snaps}, the listener ({@code changeSource()}), the
 * delivery engine with its checkpoint and dead-letter stores in PostgreSQL, and the Redis sink in
 * pub/sub mode; engine, delivery and sink settings as shipped.
 */
final class BridgePath implements DeliveryPath {

    static final String CONSUMER = "load-test";

    private final BridgePostgres bridge;
    private final ShippedDefaults defaults;
    private final String redisUri;
    private final String channel;
    private DeliveryEngine engine;

    BridgePath(BridgePostgres bridge, ShippedDefaults defaults, String redisUri, String channel) {
        this.bridge = bridge;
        this.defaults = defaults;
        this.redisUri = redisUri;
        this.channel = channel;
    }

    @Override
    public void start() {
        ChangeSink sink = new RedisSinkProvider().create("redis", defaults.redisPubSub(redisUri, channel));
        engine = new DeliveryEngine(CONSUMER, bridge.changeSource(),
                List.of(new SinkBinding(sink, SinkFilter.all(), defaults.deliveryPolicy())),
                bridge.checkpointStore(), bridge.deadLetterStore(), defaults.engineOptions(), DeliveryObserver.NONE);
        engine.start();
    }

    @Override
    public boolean delivers() {
        return true;
    }

    @Override
    public void close() {
        if (engine != null) {
            engine.stop(Duration.ofSeconds(5));
        }
    }
}
