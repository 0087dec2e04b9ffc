/**
 * The delivery engine: takes changes from a {@link dev.bridge.core.port.ChangeSource} and delivers
 * them to every matching {@link dev.bridge.core.port.ChangeSink}, in order per key, at least once,
 * advancing the consumer's checkpoint only past settled changes. Guarantees: {@code docs/delivery.md}.
 *
 * <p>Nullness: parameters and return values are non-null unless documented otherwise.
 */
package dev.bridge.core.engine;
