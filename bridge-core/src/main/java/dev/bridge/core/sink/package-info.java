/**
 * Sink types: {@link dev.bridge.core.sink.SinkTypes} finds the {@link dev.bridge.core.port.SinkProvider}s on
 * the class path and makes sinks by type; {@link dev.bridge.core.settings.MapSettings} gives a sink its
 * settings from a map.
 *
 * <p>Nullness: parameters and return values are non-null unless documented otherwise.
 */
package dev.bridge.core.sink;
