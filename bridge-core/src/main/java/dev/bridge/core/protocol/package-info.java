/**
 * The chunk protocol that carries a message of any size through PostgreSQL {@code NOTIFY}: the
 * {@link dev.bridge.core.protocol.FrameEncoder} cuts it into frames, the
 * {@link dev.bridge.core.protocol.Reassembler} puts it back together. Specified in
 * {@code docs/protocol.md}.
 *
 * <p>Nullness: parameters and return values are non-null unless documented otherwise.
 */
package dev.bridge.core.protocol;
