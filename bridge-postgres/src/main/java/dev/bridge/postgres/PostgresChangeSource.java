package dev.bridge.postgres;

import dev.bridge.core.Checkpoint;
import dev.bridge.core.port.ChangeHandler;
import dev.bridge.core.port.ChangeSource;
import java.util.Optional;

/** {@link ChangeSource} on the capture channel: each subscription is a {@link PostgresListener}. */
final class PostgresChangeSource implements ChangeSource {

    private final ConnectionFactory connections;
    private final PostgresOptions options;

    PostgresChangeSource(ConnectionFactory connections, PostgresOptions options) {
        this.connections = connections;
        this.options = options;
    }

    /** Live changes from now on; {@code from} is ignored until the change log exists (at-most-once). */
    @Override
    public PostgresListener subscribe(Optional<Checkpoint> from, ChangeHandler handler) {
        PostgresListener listener = new PostgresListener(connections, options, handler);
        listener.start();
        return listener;
    }
}
