package dev.bridge.postgres;

import dev.bridge.core.BridgeException;
import java.sql.SQLException;

/**
 * PostgreSQL refused or failed an operation. The message names the operation, the SQLSTATE and
 * what to check; it never contains credentials.
 */
public class PostgresException extends BridgeException {

    private final String sqlState;

    PostgresException(String message, String sqlState, Throwable cause) {
        super(message, cause);
        this.sqlState = sqlState;
    }

    /** The SQLSTATE PostgreSQL reported, or null if the failure happened before the server answered. */
    public String sqlState() {
        return sqlState;
    }

    static PostgresException of(String action, SQLException e) {
        String state = e.getSQLState();
        String hint = state != null && (state.startsWith("08") || state.startsWith("57P"))
                ? "; check that PostgreSQL is running and reachable at the host and port connected to (the daemon:"
                        + " bridge.postgres.host/port, DB_HOST/DB_PORT)"
                : state != null && state.startsWith("28")
                        ? "; check the user name and password it logs in with (the daemon: bridge.postgres.user/password,"
                                + " DB_USER/DB_PASSWORD)"
                        : "42501".equals(state)
                                ? "; this role lacks a privilege: run it as the owner of the Bridge schema (or of the table),"
                                        + " or give a DBA the script that --print-sql prints (docs/security.md)"
                                : "";
        return new PostgresException("could not " + action + ": " + e.getMessage()
                + (state == null ? "" : " [SQLSTATE " + state + "]") + hint, state, e);
    }
}
