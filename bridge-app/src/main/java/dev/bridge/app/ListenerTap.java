package dev.bridge.app;

import dev.bridge.core.Checkpoint;
import dev.bridge.core.port.ChangeHandler;
import dev.bridge.core.port.ChangeSource;
import dev.bridge.core.port.Subscription;
import dev.bridge.postgres.ListenerStats;
import dev.bridge.postgres.PostgresListener;
import java.util.Optional;

/** The PostgreSQL change source, remembering its listener so health and metrics can read its state. */
final class ListenerTap implements ChangeSource {

    private final ChangeSource source;
    private volatile PostgresListener listener;

    ListenerTap(ChangeSource source) {
        this.source = source;
    }

    @Override
    public Subscription subscribe(Optional<Checkpoint> from, ChangeHandler handler) {
        Subscription subscription = source.subscribe(from, handler);
        if (subscription instanceof PostgresListener l) {
            listener = l;
        }
        return subscription;
    }

    Optional<ListenerStats> stats() {
        PostgresListener l = listener;
        return l == null ? Optional.empty() : Optional.of(l.stats());
    }
}
