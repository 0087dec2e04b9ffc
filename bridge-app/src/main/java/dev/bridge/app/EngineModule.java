package dev.bridge.app;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.bridge.app.config.OpsSettings;
import dev.bridge.app.ops.BridgeMetrics;
import dev.bridge.core.engine.DeliveryEngine;
import dev.bridge.core.engine.DeliveryObserver;
import dev.bridge.core.engine.EngineOptions;
import dev.bridge.core.engine.SinkBinding;
import dev.bridge.core.port.ChangeSource;
import dev.bridge.core.port.CheckpointStore;
import dev.bridge.core.port.Coordinator;
import dev.bridge.core.port.DeadLetterStore;
import java.util.List;
import java.util.Objects;

/**
 * The delivery engine between the change source and the sinks, coordinated with the other processes
 * of its consumer, and the metrics it reports to. No I/O.
 */
public final class EngineModule extends AbstractModule {

    private final String consumer;
    private final int partitions;
    private final EngineOptions options;
    private final OpsSettings ops;

    public EngineModule(String consumer, int partitions, EngineOptions options, OpsSettings ops) {
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.partitions = partitions;
        this.options = Objects.requireNonNull(options, "options");
        this.ops = Objects.requireNonNull(ops, "ops");
    }

    @Override
    protected void configure() {
        bind(OpsSettings.class).toInstance(ops);
        bind(DeliveryObserver.class).to(BridgeMetrics.class);
    }

    @Provides
    @Singleton
    BridgeMetrics metrics() {
        return new BridgeMetrics();
    }

    @Provides
    @Singleton
    DeliveryEngine engine(ChangeSource source, List<SinkBinding> sinks, CheckpointStore checkpoints, DeadLetterStore deadLetters,
            DeliveryObserver observer, Coordinator coordinator) {
        return new DeliveryEngine(consumer, source, sinks, checkpoints, deadLetters, options, observer, coordinator, partitions);
    }
}
