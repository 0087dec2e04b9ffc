package dev.bridge.core.engine;

import java.util.List;

/**
 * The engine's counters.
 *
 * @param received changes taken from the source
 * @param checkpointLag changes taken from the source that the last saved checkpoint does not cover yet
 * @param sinks per-sink counters, in configuration order
 * @param lost changes the source dropped before this consumer read them, in all ({@code CheckpointStore.lost})
 */
public record EngineStats(long received, long checkpointLag, List<SinkStats> sinks, long lost) {
    public EngineStats {
        sinks = List.copyOf(sinks);
    }

    public EngineStats(long received, long checkpointLag, List<SinkStats> sinks) {
        this(received, checkpointLag, sinks, 0);
    }
}
