/**
 * The {@code console} sink: one line of JSON per change on standard output or error. Its entry
 * point is {@link dev.bridge.core.sink.console.ConsoleSinkProvider}.
 */
package dev.bridge.core.sink.console;
