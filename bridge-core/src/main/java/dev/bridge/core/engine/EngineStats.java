package dev.bridge.core.engine;

import java.util.List;

/**
 * The engine's counters.
 *
 * @param received the most changes any sink's reader took from the source
 * @param checkpointLag the largest {@link SinkStats#checkpointLag()} of the sinks
 * @param sinks per-sink counters, in configuration order
 * @param lost the largest {@link SinkStats#lost()} of the sinks
 */
public record EngineStats(long received, long checkpointLag, List<SinkStats> sinks, long lost) {
    public EngineStats {
        sinks = List.copyOf(sinks);
    }

    public EngineStats(long received, long checkpointLag, List<SinkStats> sinks) {
        this(received, checkpointLag, sinks, 0);
    }
}
