package dev.bridge.postgres;

import dev.bridge.core.Checkpoint;
import dev.bridge.core.port.ChangeHandler;
import dev.bridge.core.port.ChangeSource;
import java.util.Optional;

/** {@link ChangeSource} on the change log and the capture channel: each subscription is a {@link PostgresListener}. */
final class PostgresChangeSource implements ChangeSource {

    private final ConnectionFactory connections;
    private final PostgresOptions options;
    private final LogSlice slice;

    PostgresChangeSource(ConnectionFactory connections, PostgresOptions options) {
        this(connections, options, LogSlice.ALL);
    }

    private PostgresChangeSource(ConnectionFactory connections, PostgresOptions options, LogSlice slice) {
        this.connections = connections;
        this.options = options;
        this.slice = slice;
    }

    /**
     * At-least-once: every logged change after {@code from} (a snapshot checkpoint this source
     * issued), or the whole retained log if empty. At-most-once: live changes from now on; {@code from}
     * is ignored.
     *
     * @throws IllegalArgumentException if {@code from} is not a checkpoint of this source
     */
    @Override
    public PostgresListener subscribe(Optional<Checkpoint> from, ChangeHandler handler) {
        String position = from.map(Checkpoint::position).orElse(ChangeLog.BEGINNING);
        if (options.mode() == DeliveryMode.AT_MOST_ONCE) {
            position = ChangeLog.BEGINNING;
        }
        PostgresListener listener = new PostgresListener(connections, options, handler, position, slice);
        listener.start();
        return listener;
    }

    /** At-least-once: yes, each subscription reads the log from its own checkpoint. At-most-once: no, notifications are live only. */
    @Override
    public boolean replayable() {
        return options.mode() == DeliveryMode.AT_LEAST_ONCE;
    }

    /** At-least-once: the log is read with the other partitions' changes left out by the query. At-most-once: filtered as they arrive. */
    @Override
    public ChangeSource partition(int partition, int partitions) {
        if (options.mode() == DeliveryMode.AT_MOST_ONCE || slice.partitions() != 1) {
            return ChangeSource.super.partition(partition, partitions);
        }
        return new PostgresChangeSource(connections, options, new LogSlice(partition, partitions));
    }
}
