package dev.bridge.core.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One sink's counters since the engine started, its buffer and state now, and its position on the source.
 *
 * @param received changes that passed the sink's filter
 * @param delivered changes the sink acknowledged as delivered
 * @param retried deliveries that were scheduled again
 * @param deadLettered changes given up on and stored as dead letters
 * @param buffered changes waiting for or in delivery now
 * @param bufferedBytes their approximate size in bytes
 * @param bufferCapacity the most changes the buffer holds
 * @param state whether the sink's endpoint is delivering, degraded or down
 * @param stateSince when the sink entered {@code state}, on the engine's clock
 * @param oldestUnsettledAge how long ago the engine received the oldest change it has not settled
 *     for this sink (delivered or dead-lettered); zero if none waits
 * @param checkpointLag changes the sink's reader took from the source (its filter's rejects
 *     included) that its last saved checkpoint does not cover yet
 * @param lost changes the source dropped before this sink read them, in all ({@code CheckpointStore.lost})
 */
public record SinkStats(String sink, long received, long delivered, long retried, long deadLettered, int buffered, long bufferedBytes,
        int bufferCapacity, SinkState state, Instant stateSince, Duration oldestUnsettledAge, long checkpointLag, long lost) {

    public SinkStats {
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(stateSince, "stateSince");
        Objects.requireNonNull(oldestUnsettledAge, "oldestUnsettledAge");
        if (oldestUnsettledAge.isNegative()) {
            throw new IllegalArgumentException("oldestUnsettledAge must not be negative, got " + oldestUnsettledAge);
        }
    }

    /** How full the buffer is, 0 to 1. */
    public double bufferFill() {
        return (double) buffered / bufferCapacity;
    }

    SinkStats withPosition(long lag, long missed) {
        return new SinkStats(sink, received, delivered, retried, deadLettered, buffered, bufferedBytes, bufferCapacity, state, stateSince,
                oldestUnsettledAge, lag, missed);
    }
}
