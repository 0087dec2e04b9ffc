package dev.bridge.benchmarks.load;

import java.sql.SQLException;

/**
 * The ceiling: the same event store writing the same rows, with Bridge's capture trigger dropped
 * from {@code bridge_snaps}, so the writers do everything but capture.
 */
final class NoTriggerPath implements DeliveryPath {

    private final Postgres.Endpoint postgres;
    private final String schema;

    NoTriggerPath(Postgres.Endpoint postgres, String schema) {
        this.postgres = postgres;
        this.schema = schema;
    }

    @Override
    public void start() throws SQLException {
        postgres.execute("DROP TRIGGER bridge_capture ON " + schema + ".bridge_snaps");
    }

    @Override
    public boolean delivers() {
        return false;
    }

    @Override
    public void close() {
    }
}
