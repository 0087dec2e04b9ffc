package dev.bridge.core.engine;

/**
 * How a sink's endpoint is doing, as the engine sees it from the acknowledgements. See "Endpoint
 * health" in {@code docs/delivery.md}.
 */
public enum SinkState {

    /** Changes are delivered; no delivery was to be retried in the last 10 seconds. */
    DELIVERING,

    /** Not down, but a delivery was to be retried in the last 10 seconds. */
    DEGRADED,

    /**
     * Attempts to deliver failed in a row, across more than one key: the endpoint, not a change, is
     * failing. Only probes, one change each, are sent until one is delivered.
     */
    DOWN
}
