/**
 * Redis sink: publishes changes to pub/sub channels and streams through Lettuce.
 * Implements {@link dev.bridge.core.port.ChangeSink}.
 */
package dev.bridge.sink.redis;
