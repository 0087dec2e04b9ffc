package dev.bridge.core.sink;

import dev.bridge.core.BridgeException;
import dev.bridge.core.UnknownSinkTypeException;
import dev.bridge.core.port.ChangeSink;
import dev.bridge.core.port.SinkProvider;
import dev.bridge.core.settings.Settings;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The sink types available to the application: the {@link SinkProvider}s on the class path, by
 * type. Immutable and thread-safe.
 */
public final class SinkTypes {

    private static final Pattern TYPE = Pattern.compile("[a-z0-9][a-z0-9._-]*");

    private final SortedMap<String, SinkProvider> providers;

    private SinkTypes(SortedMap<String, SinkProvider> providers) {
        this.providers = providers;
    }

    /** The providers that {@link ServiceLoader} finds with the current thread's context class loader. */
    public static SinkTypes load() {
        return load(Thread.currentThread().getContextClassLoader());
    }

    /**
     * The providers that {@link ServiceLoader} finds with {@code loader}.
     *
     * @param loader the class loader to search; null for the system class loader
     * @throws BridgeException if a provider cannot be loaded, has an invalid type, or claims a type
     *     another provider claims too
     */
    public static SinkTypes load(ClassLoader loader) {
        List<SinkProvider> found = new ArrayList<>();
        try {
            ServiceLoader.load(SinkProvider.class, loader).forEach(found::add);
        } catch (ServiceConfigurationError e) {
            throw new BridgeException("could not load a sink provider (" + e.getMessage() + "); check the jars on the class path"
                    + " and the classes their META-INF/services/" + SinkProvider.class.getName() + " lists", e);
        }
        return of(found);
    }

    /**
     * Exactly these providers, for applications that assemble their sinks by hand and for tests.
     *
     * @throws BridgeException if a provider has an invalid type or two claim the same type
     */
    public static SinkTypes of(Collection<? extends SinkProvider> providers) {
        SortedMap<String, SinkProvider> byType = new TreeMap<>();
        for (SinkProvider provider : providers) {
            String type = provider.type();
            if (type == null || !TYPE.matcher(type).matches()) {
                throw new BridgeException("sink provider " + provider.getClass().getName() + " has the type "
                        + (type == null ? "null" : "'" + type + "'")
                        + "; a type is lower-case letters, digits, '.', '_' and '-'; fix the provider");
            }
            SinkProvider other = byType.putIfAbsent(type, provider);
            if (other != null) {
                throw new BridgeException("sink type '" + type + "' is provided by both " + other.getClass().getName()
                        + " and " + provider.getClass().getName() + "; remove one of them from the class path");
            }
        }
        return new SinkTypes(Collections.unmodifiableSortedMap(byType));
    }

    /** The known types, sorted. */
    public Set<String> known() {
        return providers.keySet();
    }

    /**
     * Makes an unstarted sink of the given type; see {@link SinkProvider#create}.
     *
     * @param type the type, read from the block's {@code type} key
     * @throws UnknownSinkTypeException if no provider has {@code type}; it lists the known types
     * @throws dev.bridge.core.InvalidSettingException if the provider rejects the settings
     */
    public ChangeSink create(String type, String name, Settings settings) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(settings, "settings");
        SinkProvider provider = providers.get(type);
        if (provider == null) {
            throw new UnknownSinkTypeException(type, settings.path() + ".type", List.copyOf(known()));
        }
        ChangeSink sink = provider.create(name, settings);
        if (sink == null || !name.equals(sink.name())) {
            throw new BridgeException("sink provider " + provider.getClass().getName() + " made "
                    + (sink == null ? "no sink" : "a sink named '" + sink.name() + "'") + " when asked for '" + name
                    + "' (" + settings.path() + "); fix the provider");
        }
        return sink;
    }
}
