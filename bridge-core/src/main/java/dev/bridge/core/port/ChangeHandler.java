package dev.bridge.core.port;

import dev.bridge.core.Change;
import dev.bridge.core.Checkpoint;
import dev.bridge.core.Gap;

/**
 * Receives a subscription's changes. Called from one thread at a time, in the source's order; the
 * changes of one key arrive in the order they were committed.
 */
public interface ChangeHandler {

    /**
     * One change. May block to push back on the source (a full buffer); the source then waits, or
     * falls back to catching up from its log later.
     *
     * @throws InterruptedException if the thread is interrupted while blocked; the source stops
     */
    void onChange(Change change) throws InterruptedException;

    /**
     * Every change before this point has been passed to {@link #onChange}; resuming from
     * {@code checkpoint} yields only changes after it. The handler saves it once those changes are
     * processed.
     */
    default void onCheckpoint(Checkpoint checkpoint) {
    }

    /**
     * Whether the handler wants a change of about {@code changeBytes} bytes (its JSON) now. When it
     * says yes, {@link #onChange} takes that change without waiting; it may say no while it could
     * still take one, to be given changes in large steps rather than one at a time. A source that
     * can read the change later (from a log) stops handing over while this says no, and goes on
     * once it says yes, instead of blocking in {@code onChange}. Default: true.
     */
    default boolean hasRoom(long changeBytes) {
        return true;
    }

    /** The source could not see changes for a while; see {@link Gap}. */
    default void onGap(Gap gap) {
    }
}
