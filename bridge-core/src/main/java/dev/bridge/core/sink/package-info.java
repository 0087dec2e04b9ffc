/**
 * Sink types: {@link dev.bridge.core.sink.SinkTypes} finds the {@link dev.bridge.core.port.SinkProvider}s on
 * the class path and makes sinks by type, from their settings (see {@link dev.bridge.core.settings}).
 *
 * <p>Nullness: parameters and return values are non-null unless documented otherwise.
 */
package dev.bridge.core.sink;
