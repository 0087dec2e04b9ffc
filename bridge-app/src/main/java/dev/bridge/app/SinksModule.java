package dev.bridge.app;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.MapBinder;
import dev.bridge.app.config.SinkSpec;
import dev.bridge.core.engine.SinkBinding;
import dev.bridge.core.port.SinkProvider;
import dev.bridge.core.sink.SinkTypes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The sinks: every {@link SinkProvider} that {@link ServiceLoader} finds is bound under its type,
 * and each configured sink is made by the provider its type names. Making a sink opens nothing.
 */
public final class SinksModule extends AbstractModule {

    private final List<SinkSpec> specs;
    private final ClassLoader loader;

    public SinksModule(List<SinkSpec> specs, ClassLoader loader) {
        this.specs = List.copyOf(specs);
        this.loader = loader;
    }

    @Override
    protected void configure() {
        MapBinder<String, SinkProvider> providers = MapBinder.newMapBinder(binder(), String.class, SinkProvider.class);
        for (SinkProvider provider : ServiceLoader.load(SinkProvider.class, loader)) {
            providers.addBinding(provider.type()).toInstance(provider);
        }
    }

    @Provides
    @Singleton
    SinkTypes sinkTypes(Map<String, SinkProvider> providers) {
        return SinkTypes.of(providers.values());
    }

    @Provides
    @Singleton
    List<SinkBinding> sinks(SinkTypes types) {
        List<SinkBinding> sinks = new ArrayList<>();
        for (SinkSpec spec : specs) {
            sinks.add(new SinkBinding(types.create(spec.type(), spec.name(), spec.settings()), spec.filter(), spec.policy()));
        }
        return List.copyOf(sinks);
    }
}
