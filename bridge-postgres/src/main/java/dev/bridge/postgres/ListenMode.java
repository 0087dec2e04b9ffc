package dev.bridge.postgres;

import dev.bridge.core.protocol.ReassemblyStats;
import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.PGConnection;

/**
 * What the listener does on its connection, by delivery mode; the reconnect loop and the
 * liveness check around it are the listener's.
 */
interface ListenMode {
    /** Before LISTEN, on each new connection. */
    default void prepare(Connection c) throws SQLException {
    }

    /** After LISTEN, before the first {@link #step}. */
    default void listening(Connection c) throws SQLException {
    }

    /** Whether changes committed while disconnected are missed (so the handler is told of a gap). */
    boolean missesWhileDisconnected();

    /** One turn of the loop: waits at most {@code waitMillis} for work, and does it. */
    void step(Connection c, PGConnection pg, long now, int waitMillis) throws SQLException, InterruptedException;

    /** After each liveness check, which read {@code snapshot}. */
    default void checked(PGConnection pg, String snapshot) throws SQLException, InterruptedException {
    }

    /** On leaving a connection that still works (the listener is closing). */
    default void leaving(Connection c) {
    }

    ReassemblyStats reassembly();
}
