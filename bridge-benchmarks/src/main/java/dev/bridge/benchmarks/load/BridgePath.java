package dev.bridge.benchmarks.load;

import dev.bridge.core.engine.DeliveryEngine;
import dev.bridge.postgres.BridgePostgres;
import dev.bridge.sink.redis.RedisSinkOptions;
import dev.bridge.sink.redis.RedisSinkProvider;
import java.time.Duration;

/**
 * Bridge's path as a user assembles it from the libraries: the capture trigger that
 * {@code install()} put on {@code bridge_snaps}, the listener ({@code changeSource()}), the
 * delivery engine with its checkpoint and dead-letter stores in PostgreSQL, and the Redis sink in
 * pub/sub mode; engine, delivery and sink settings at their defaults, as shipped.
 */
final class BridgePath implements DeliveryPath {

    static final String CONSUMER = "load-test";

    private final BridgePostgres bridge;
    private final String redisUri;
    private final String channel;
    private DeliveryEngine engine;

    BridgePath(BridgePostgres bridge, String redisUri, String channel) {
        this.bridge = bridge;
        this.redisUri = redisUri;
        this.channel = channel;
    }

    @Override
    public void start() {
        engine = DeliveryEngine.builder(CONSUMER).source(bridge)
                .sink(RedisSinkProvider.sink("redis", RedisSinkOptions.pubsub(redisUri).withTarget(channel)))
                .build();
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
