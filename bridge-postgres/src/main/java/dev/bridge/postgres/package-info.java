/**
 * PostgreSQL adapter: schema, event store, capture trigger over chunked NOTIFY, durable listener.
 * Implements the ports of {@code dev.bridge.core.port} with pgjdbc.
 */
package dev.bridge.postgres;
