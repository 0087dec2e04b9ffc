package dev.bridge.core.port;

import dev.bridge.core.Checkpoint;
import java.util.Optional;

/**
 * A stream of changes that can be resumed from a {@link Checkpoint}.
 *
 * <p>Threading: implementations are thread-safe; each subscription calls its handler from one
 * thread of the source's, never concurrently. Lifecycle: a subscription runs from
 * {@link #subscribe} until it is closed; closing it stops further calls to the handler.
 */
public interface ChangeSource {

    /**
     * Starts delivering changes to {@code handler}.
     *
     * @param from the checkpoint to resume after; empty to start from what the source considers
     *     the beginning (at-least-once sources: the oldest retained change; at-most-once: now)
     * @return the running subscription
     */
    Subscription subscribe(Optional<Checkpoint> from, ChangeHandler handler);

    /**
     * Whether subscriptions resume from checkpoints of a retained log, each at its own pace, so that
     * several may read at once. The delivery engine then subscribes once per sink, so a slow sink
     * holds back no other. Otherwise (a live-only source, or one that allows a single subscriber)
     * the engine subscribes once for all its sinks. Default: false; a source over a log says true.
     */
    default boolean replayable() {
        return false;
    }

    /**
     * This source with only the changes of one partition ({@link dev.bridge.core.Partitioning}),
     * as the delivery engine reads a partition it leads. Checkpoints are those of this source. By
     * default the other partitions' changes are dropped as they arrive; a source that can leave them
     * out where it reads (a query) overrides this.
     *
     * @throws IllegalArgumentException unless {@code 0 <= partition < partitions}
     */
    default ChangeSource partition(int partition, int partitions) {
        return new PartitionOfSource(this, partition, partitions);
    }
}
