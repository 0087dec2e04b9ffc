package dev.bridge.core.engine;

import dev.bridge.core.Checkpoint;
import java.util.ArrayDeque;

/**
 * Pairs the source's checkpoints with how many changes preceded them, and releases the latest one
 * whose changes are all settled. Thread-safe.
 */
final class CheckpointTracker {

    private record Mark(long covers, Checkpoint checkpoint) {
    }

    private final ArrayDeque<Mark> marks = new ArrayDeque<>();
    private Checkpoint safe;
    private long safeCovers;

    /**
     * The source passed {@code checkpoint} after handing over changes {@code 0 .. covers-1}. A mark
     * covering no more than the previous one replaces it, so a source that passes checkpoints often
     * adds at most one mark per change.
     */
    synchronized void mark(long covers, Checkpoint checkpoint) {
        if (!marks.isEmpty() && marks.peekLast().covers == covers) {
            marks.pollLast();
        }
        marks.addLast(new Mark(covers, checkpoint));
    }

    /**
     * The latest checkpoint all of whose changes are settled, given that no change below
     * {@code lowestUnsettled} is outstanding; null if there is none yet.
     */
    synchronized Checkpoint advance(long lowestUnsettled) {
        while (!marks.isEmpty() && marks.peekFirst().covers <= lowestUnsettled) {
            Mark m = marks.pollFirst();
            safe = m.checkpoint;
            safeCovers = m.covers;
        }
        return safe;
    }

    /** How many changes the safe checkpoint covers. */
    synchronized long safeCovers() {
        return safeCovers;
    }
}
