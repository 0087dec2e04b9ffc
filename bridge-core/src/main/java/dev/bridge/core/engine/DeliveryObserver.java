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
}
