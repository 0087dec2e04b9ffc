/**
 * The ports: what the bridge needs from the outside world, in its own terms. Adapters
 * (bridge-postgres, the sinks) implement them; only types of {@code dev.bridge.core} appear in
 * their signatures.
 *
 * <p>Nullness: parameters and return values are non-null unless documented otherwise.
 */
package dev.bridge.core.port;
