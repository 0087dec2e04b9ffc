package dev.bridge.core.port;

import dev.bridge.core.Append;
import dev.bridge.core.Event;
import dev.bridge.core.Key;
import dev.bridge.core.Snapshot;
import dev.bridge.core.VersionConflictException;
import java.util.List;
import java.util.Optional;

/**
 * Where objects live, event-sourced: every event of an object and its latest state, written
 * together. Each write is a change that the bridge streams.
 *
 * <p>Threading: implementations are thread-safe. Lifecycle: usable once constructed; the store does
 * not own its connections. Failures of the underlying database surface as
 * {@link dev.bridge.core.BridgeException}s.
 */
public interface EventStore {

    /**
     * Records the event and the object's new state atomically, with optimistic concurrency.
     *
     * @return the object's new snapshot, at {@code append.newVersion()}
     * @throws VersionConflictException if the object is not at {@code append.expectedVersion()};
     *     nothing is written
     */
    Snapshot append(Append append);

    /**
     * Records several appends in one transaction: all or none.
     *
     * @return the new snapshots, in the order of {@code appends}
     * @throws VersionConflictException for the first append whose version does not match; nothing is written
     */
    List<Snapshot> appendAll(List<Append> appends);

    /** The object's latest state, or empty if it does not exist (or was deleted). */
    Optional<Snapshot> load(Key key);

    /** The object's events in version order; empty if it has none. */
    List<Event> history(Key key);

    /**
     * Deletes the object, which streams as a {@code DELETE} change.
     *
     * @throws VersionConflictException if the object is not at {@code expectedVersion} (0 if it does not exist)
     */
    void delete(Key key, long expectedVersion);
}
