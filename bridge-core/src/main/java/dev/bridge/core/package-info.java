/**
 * Bridge's domain: changes, objects and their events, checkpoints, dead letters, and the JSON form
 * of a change ({@code docs/protocol.md} §1).
 *
 * <p>Nullness: parameters, record components and return values are non-null unless documented
 * otherwise (a change's {@code val} and {@code old} may be null).
 */
package dev.bridge.core;
