package dev.bridge.app;

import dev.bridge.core.Checkpoint;
import dev.bridge.core.port.ChangeHandler;
import dev.bridge.core.port.ChangeSource;
import dev.bridge.core.port.Subscription;
import dev.bridge.postgres.ListenerStats;
import dev.bridge.postgres.PostgresListener;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The PostgreSQL change source, remembering its open listeners (one per sink and partition led at
 * least once, one per partition led at most once) so health and metrics can read their state.
 */
final class ListenerTap implements ChangeSource {

    private final ChangeSource source;
    private final List<PostgresListener> listeners = new CopyOnWriteArrayList<>();

    ListenerTap(ChangeSource source) {
        this.source = source;
    }

    @Override
    public Subscription subscribe(Optional<Checkpoint> from, ChangeHandler handler) {
        Subscription subscription = source.subscribe(from, handler);
        if (!(subscription instanceof PostgresListener l)) {
            return subscription;
        }
        listeners.add(l);
        return new Subscription() {
            @Override
            public boolean isActive() {
                return l.isActive();
            }

            @Override
            public void close() {
                listeners.remove(l);
                l.close();
            }
        };
    }

    @Override
    public boolean replayable() {
        return source.replayable();
    }

    /**
     * The listeners' counters as one: each listener reads every change (one per sink), so the counts
     * of changes, notifications and skipped rows are those of the listener that counted most; the
     * reconnects are added up; connected only while every one is. Empty before the first starts.
     */
    Optional<ListenerStats> stats() {
        if (listeners.isEmpty()) {
            return Optional.empty();
        }
        List<ListenerStats> all = listeners.stream().map(PostgresListener::stats).toList();
        if (all.size() == 1) {
            return Optional.of(all.get(0));
        }
        return Optional.of(new ListenerStats(all.stream().allMatch(ListenerStats::connected),
                all.stream().mapToLong(ListenerStats::notifications).max().orElse(0),
                all.stream().mapToLong(ListenerStats::changes).max().orElse(0),
                all.stream().mapToLong(ListenerStats::malformedChanges).max().orElse(0),
                all.stream().mapToLong(ListenerStats::replayedMessages).max().orElse(0),
                all.stream().mapToLong(ListenerStats::rejectedLogRows).max().orElse(0),
                all.stream().mapToLong(ListenerStats::reconnects).sum(),
                all.stream().mapToDouble(ListenerStats::queueUsage).max().orElse(0),
                all.get(0).reassembly()));
    }

    /** How many listeners are connected, of how many. */
    String connectedCount() {
        long connected = listeners.stream().filter(l -> l.stats().connected()).count();
        return connected + " of " + listeners.size();
    }
}
