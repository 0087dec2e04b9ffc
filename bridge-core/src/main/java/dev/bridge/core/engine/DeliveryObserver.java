package dev.bridge.core.engine;

import dev.bridge.core.Change;
import java.time.Duration;

/**
 * Hears of every delivery outcome, for metrics. Called from the engine's threads; must be quick and
 * thread-safe, and must not throw.
 */
public interface DeliveryObserver {

    DeliveryObserver NONE = new DeliveryObserver() { };

    /** A sink has the change; {@code latency} runs from the engine receiving it. */
    default void delivered(String sink, Change change, Duration latency) {
    }

    /** A delivery failed and will be tried again. */
    default void retried(String sink, Change change, String reason) {
    }

    /** A sink gave up on the change; it is in the dead-letter store. */
    default void deadLettered(String sink, Change change, String reason) {
    }

    /**
     * A sink's state changed, e.g. to {@link SinkState#DOWN} when its endpoint fails across keys and
     * back to {@link SinkState#DELIVERING} when a probe is delivered. Called with no lock of the
     * engine's held; calls for changes close together may overlap, so take the state now from
     * {@link SinkStats#state()}.
     */
    default void stateChanged(String sink, SinkState from, SinkState to) {
    }
}
