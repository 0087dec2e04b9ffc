package dev.bridge.app;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.bridge.app.config.PostgresSettings;
import dev.bridge.core.port.ChangeSource;
import dev.bridge.core.port.CheckpointStore;
import dev.bridge.core.port.Coordinator;
import dev.bridge.core.port.DeadLetterStore;
import dev.bridge.core.port.EventStore;
import dev.bridge.postgres.BridgePostgres;
import java.util.Objects;

/** The PostgreSQL adapter: the database, its change source, event store, checkpoints and dead letters. No I/O. */
public final class PostgresModule extends AbstractModule {

    private final PostgresSettings settings;

    public PostgresModule(PostgresSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    protected void configure() {
        bind(PostgresSettings.class).toInstance(settings);
    }

    @Provides
    @Singleton
    Database database() {
        return new Database(settings);
    }

    @Provides
    @Singleton
    BridgePostgres postgres(Database database) {
        return BridgePostgres.create(database.dataSource(), database.listenerConnections(), settings.options());
    }

    @Provides
    @Singleton
    ListenerTap listenerTap(BridgePostgres postgres) {
        return new ListenerTap(postgres.changeSource());
    }

    @Provides
    ChangeSource changeSource(ListenerTap tap) {
        return tap;
    }

    @Provides
    Coordinator coordinator(BridgePostgres postgres) {
        return postgres.coordinator().orElseThrow();
    }

    @Provides
    EventStore eventStore(BridgePostgres postgres) {
        return postgres.eventStore();
    }

    @Provides
    CheckpointStore checkpointStore(BridgePostgres postgres) {
        return postgres.checkpointStore();
    }

    @Provides
    DeadLetterStore deadLetterStore(BridgePostgres postgres) {
        return postgres.deadLetterStore();
    }
}
