package dev.bridge.postgres;

import dev.bridge.core.port.ChangeHandler;
import dev.bridge.core.port.ChangeSource;
import dev.bridge.core.port.CheckpointStore;
import dev.bridge.core.port.Coordinator;
import dev.bridge.core.port.DeadLetterStore;
import dev.bridge.core.port.DeliveryStore;
import dev.bridge.core.port.EventStore;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The one entry point of bridge-postgres: the schema, the event store, table capture and the change
 * listener for one database and one Bridge schema. Holds no connection itself; thread-safe.
 *
 * <pre>{@code
 * BridgePostgres pg = BridgePostgres.create(dataSource, ConnectionFactory.of(url, user, password),
 *         PostgresOptions.defaults());
 * pg.schema().install();
 * pg.listen(change -> System.out.println(change));
 * pg.eventStore().append(new Append(new Key("orders", "42"), 0, 1, event, state));
 * }</pre>
 */
public final class BridgePostgres implements DeliveryStore {

    private final BridgeSchema schema;
    private final EventStore eventStore;
    private final TableCapture capture;
    private final PostgresChangeSource changeSource;
    private final CheckpointStore checkpoints;
    private final DeadLetterStore deadLetters;
    private final Consumers consumers;
    private final PostgresCoordinator coordinator;

    private BridgePostgres(DataSource dataSource, ConnectionFactory listenerConnections, PostgresOptions options) {
        this.schema = new BridgeSchema(dataSource, options);
        this.eventStore = new PostgresEventStore(dataSource, options);
        this.capture = new TableCapture(dataSource, options);
        this.changeSource = new PostgresChangeSource(listenerConnections, options);
        this.checkpoints = new PostgresCheckpointStore(dataSource, options);
        this.deadLetters = new PostgresDeadLetterStore(dataSource, options);
        this.consumers = new Consumers(dataSource, options);
        this.coordinator = new PostgresCoordinator(listenerConnections, options);
    }

    /** As {@link #create(DataSource, ConnectionFactory, PostgresOptions)} with {@link PostgresOptions#defaults()}. */
    public static BridgePostgres create(DataSource dataSource, ConnectionFactory listenerConnections) {
        return create(dataSource, listenerConnections, PostgresOptions.defaults());
    }

    /**
     * @param dataSource connections for writes and administration (a pool is fine)
     * @param listenerConnections opens the listener's dedicated connections (never pooled)
     */
    public static BridgePostgres create(DataSource dataSource, ConnectionFactory listenerConnections, PostgresOptions options) {
        return new BridgePostgres(Objects.requireNonNull(dataSource, "dataSource"),
                Objects.requireNonNull(listenerConnections, "listenerConnections"), Objects.requireNonNull(options, "options"));
    }

    public BridgeSchema schema() {
        return schema;
    }

    public EventStore eventStore() {
        return eventStore;
    }

    public TableCapture capture() {
        return capture;
    }

    @Override
    public ChangeSource changeSource() {
        return changeSource;
    }

    /** Consumers' checkpoints, in this schema; loading one registers its consumer. */
    @Override
    public CheckpointStore checkpointStore() {
        return checkpoints;
    }

    @Override
    public DeadLetterStore deadLetterStore() {
        return deadLetters;
    }

    /**
     * Shares each consumer's partitions among the processes that run it, with advisory locks and
     * lease rows in this schema; each process keeps one more connection of its own for it
     * (docs/operations.md). An engine built with {@code source(pg)} uses it.
     */
    @Override
    public Optional<Coordinator> coordinator() {
        return Optional.of(coordinator);
    }

    public Consumers consumers() {
        return consumers;
    }

    /**
     * Starts a listener that hands every change to {@code handler}; close it to stop. In
     * at-least-once mode it starts at the beginning of the retained log and is not a registered
     * consumer (use {@link #changeSource()} with {@link #checkpointStore()} to resume and hold the log).
     */
    public PostgresListener listen(ChangeHandler handler) {
        return changeSource.subscribe(Optional.empty(), handler);
    }
}
