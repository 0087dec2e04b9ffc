package dev.bridge.core.port;

import dev.bridge.core.settings.Settings;

/**
 * A type of sink ({@code console}, {@code redis}, {@code webhook}) that makes named sink instances
 * from their settings.
 *
 * <p>Providers are found with {@link java.util.ServiceLoader}: a jar lists its provider in
 * {@code META-INF/services/dev.bridge.core.port.SinkProvider}, so putting the jar on the class path
 * adds a sink type without changing the application. An implementation therefore has a public
 * no-argument constructor. {@code dev.bridge.core.sink.SinkTypes} loads them and picks one by type.
 *
 * <p>Threading: instances are stateless and may be shared; {@link #create} is called at start-up.
 */
public interface SinkProvider {

    /**
     * The type name that selects this provider in a sink's configuration: lower case, non-blank,
     * unique among the providers on the class path (e.g. {@code redis}).
     */
    String type();

    /**
     * Reads and validates the settings and makes an unstarted sink. Does no I/O: connections are
     * opened by {@link ChangeSink#start()}.
     *
     * @param name the instance's name, which the sink returns from {@link ChangeSink#name()}
     * @param settings the instance's configuration block
     * @throws dev.bridge.core.InvalidSettingException if a setting is missing or invalid; build it
     *     with {@link Settings#invalid} so that it names the setting's path and origin
     */
    ChangeSink create(String name, Settings settings);
}
