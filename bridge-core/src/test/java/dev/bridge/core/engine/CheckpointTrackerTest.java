package dev.bridge.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bridge.core.Checkpoint;
import org.junit.jupiter.api.Test;

class CheckpointTrackerTest {

    @Test
    void releasesTheLatestCheckpointWhoseChangesAreAllSettled() {
        CheckpointTracker tracker = new CheckpointTracker();
        tracker.mark(2, new Checkpoint("a"));
        tracker.mark(5, new Checkpoint("b"));

        assertThat(tracker.advance(1)).isNull();
        assertThat(tracker.advance(4)).isEqualTo(new Checkpoint("a"));
        assertThat(tracker.safeCovers()).isEqualTo(2);
        assertThat(tracker.advance(Long.MAX_VALUE)).isEqualTo(new Checkpoint("b"));
    }

    @Test
    void aCheckpointPassedWithoutNewChangesReplacesThePreviousOne() {
        CheckpointTracker tracker = new CheckpointTracker();
        tracker.mark(3, new Checkpoint("a"));
        tracker.mark(3, new Checkpoint("b"));
        tracker.mark(3, new Checkpoint("c"));

        assertThat(tracker.advance(2)).isNull();
        assertThat(tracker.advance(3)).isEqualTo(new Checkpoint("c"));
    }
}
