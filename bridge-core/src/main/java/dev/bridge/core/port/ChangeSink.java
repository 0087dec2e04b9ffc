package dev.bridge.core.port;

import dev.bridge.core.Change;
import java.util.List;
import java.util.Map;

/**
 * A destination of changes: Redis, a webhook endpoint, the console. Sinks are named instances; a
 * configuration may hold several of one type.
 *
 * <p>Lifecycle, in this order: {@link #start()} once; then {@link #deliver} any number of times;
 * then {@link #stop()} once. The engine never calls {@code deliver} after {@code stop} begins.
 *
 * <p>Threading: the engine may call {@code deliver} concurrently for batches of different keys,
 * never for two batches holding the same key, and a batch never holds two changes of one key: a
 * key's next change comes only after its previous one was acknowledged, so a sink may send a
 * batch's changes all at once (given two changes of one key, a sink may deliver them in either
 * order). A sink may acknowledge from any thread.
 */
public interface ChangeSink {

    /** This instance's name, unique among the configured sinks (e.g. {@code billing}). */
    String name();

    /** Opens connections and checks the destination is usable. Called once, before any delivery. */
    default void start() {
    }

    /**
     * Delivers a batch. The sink must eventually acknowledge every change of the batch exactly once
     * through {@code acks} (at once or later, from any thread); a change left unacknowledged holds
     * back the checkpoint. Must not throw for delivery failures: acknowledge them as
     * {@link Ack#retry} or {@link Ack#failed} instead.
     *
     * @param batch one or more changes, no two of the same key
     */
    void deliver(List<Change> batch, Acknowledger acks);

    /**
     * The sink's own counters, beyond the engine's per-sink counts, for metrics: by name in
     * lower_snake_case, each never decreasing (e.g. the webhook sink's {@code gone_dead_lettered}).
     * Called from any thread, at any point of the lifecycle; must be quick. Default: none.
     */
    default Map<String, Long> counters() {
        return Map.of();
    }

    /** Releases resources. Deliveries still in flight may be acknowledged as retry. Called once. */
    default void stop() {
    }
}
