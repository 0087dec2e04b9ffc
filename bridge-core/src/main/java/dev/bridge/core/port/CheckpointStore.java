package dev.bridge.core.port;

import dev.bridge.core.Checkpoint;
import java.util.Map;
import java.util.Set;

/**
 * Remembers how far each sink of each named consumer has processed: one checkpoint per sink, so
 * that each sink reads the source at its own pace. Thread-safe; a save is durable when it returns.
 */
public interface CheckpointStore {

    /**
     * The saved checkpoints of the consumer's sinks, by sink name, after registering each of
     * {@code sinks} that has none. Where a registered sink starts is the store's rule; bridge-postgres's:
     * a sink new to a consumer that already has checkpoints starts behind all of them, a sink of a
     * new consumer at the beginning of the retained log. The map also holds sinks of the consumer
     * that are not in {@code sinks} (no longer configured); it lacks a sink only if that sink starts
     * at the source's beginning.
     */
    Map<String, Checkpoint> load(String consumer, Set<String> sinks);

    /** Saves the checkpoint of one sink of the consumer, replacing its previous one. */
    void save(String consumer, String sink, Checkpoint checkpoint);

    /**
     * How many changes the source dropped in all before this sink of the consumer read them — a log
     * pruned after its maximum retention while the sink stayed behind — as of the last {@link #load}
     * or {@link #save}. Such changes are never delivered. 0 by default, for stores whose source
     * drops nothing.
     */
    default long lost(String consumer, String sink) {
        return 0;
    }

    /**
     * The checkpoints of the lease's partition, fenced by it: the view's {@link #save} succeeds only
     * while no other process has taken the partition since the lease was granted, and otherwise
     * throws {@link dev.bridge.core.LeaseLostException} and saves nothing. A partition's sinks are
     * registered as in {@link #load}, the consumer's other partitions counting as its other sinks.
     *
     * @throws UnsupportedOperationException by default: a store that cannot fence its saves cannot
     *     serve processes that share a consumer
     */
    default CheckpointStore leased(Lease lease) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot fence checkpoint saves by a lease");
    }
}
