package dev.bridge.core.engine;

/**
 * One sink's counters since the engine started, and its buffer now.
 *
 * @param received changes that passed the sink's filter
 * @param delivered changes the sink acknowledged as delivered
 * @param retried deliveries that were scheduled again
 * @param deadLettered changes given up on and stored as dead letters
 * @param buffered changes waiting for or in delivery now
 * @param bufferedBytes their approximate size in bytes
 * @param bufferCapacity the most changes the buffer holds
 */
public record SinkStats(
        String sink, long received, long delivered, long retried, long deadLettered, int buffered, long bufferedBytes, int bufferCapacity) {

    /** How full the buffer is, 0 to 1. */
    public double bufferFill() {
        return (double) buffered / bufferCapacity;
    }
}
