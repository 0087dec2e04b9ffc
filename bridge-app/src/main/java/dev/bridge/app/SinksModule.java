package dev.bridge.app;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.bridge.app.config.SinkSpec;
import dev.bridge.core.engine.SinkBinding;
import java.util.List;

/**
 * The configured sinks, each with its filter and delivery policy. The sinks themselves were made
 * once, by their type's provider, when the configuration was read ({@link SinkSpec#sink()});
 * making a sink opens nothing.
 */
public final class SinksModule extends AbstractModule {

    private final List<SinkSpec> specs;

    public SinksModule(List<SinkSpec> specs) {
        this.specs = List.copyOf(specs);
    }

    @Provides
    @Singleton
    List<SinkBinding> sinks() {
        return specs.stream().map(spec -> new SinkBinding(spec.sink(), spec.filter(), spec.policy())).toList();
    }
}
