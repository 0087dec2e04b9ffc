/**
 * The daemon's operations endpoint: liveness, readiness and Prometheus metrics over HTTP, and the
 * metrics of the engine, its sinks, the PostgreSQL listener and the JVM.
 *
 * <p>Nullness: parameters, record components and return values are non-null unless documented otherwise.
 */
package dev.bridge.app.ops;
