package dev.bridge.core.port;

import dev.bridge.core.Change;
import dev.bridge.core.Checkpoint;
import dev.bridge.core.Gap;
import dev.bridge.core.Partitioning;
import java.util.Optional;

/** A source with the changes of other partitions dropped as they arrive; {@link ChangeSource#partition}'s default. */
final class PartitionOfSource implements ChangeSource {

    private final ChangeSource source;
    private final int partition;
    private final int partitions;

    PartitionOfSource(ChangeSource source, int partition, int partitions) {
        if (partitions < 1 || partition < 0 || partition >= partitions) {
            throw new IllegalArgumentException("a partition is from 0 to partitions - 1, got " + partition + " of " + partitions);
        }
        this.source = source;
        this.partition = partition;
        this.partitions = partitions;
    }

    @Override
    public Subscription subscribe(Optional<Checkpoint> from, ChangeHandler handler) {
        return source.subscribe(from, new ChangeHandler() {
            @Override
            public void onChange(Change change) throws InterruptedException {
                if (Partitioning.partition(change.key(), partitions) == partition) {
                    handler.onChange(change);
                }
            }

            @Override
            public void onCheckpoint(Checkpoint checkpoint) {
                handler.onCheckpoint(checkpoint);
            }

            @Override
            public boolean hasRoom(long changeBytes) {
                return handler.hasRoom(changeBytes);
            }

            @Override
            public void onGap(Gap gap) {
                handler.onGap(gap);
            }
        });
    }

    @Override
    public boolean replayable() {
        return source.replayable();
    }
}
