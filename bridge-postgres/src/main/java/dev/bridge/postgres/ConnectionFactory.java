package dev.bridge.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Properties;

/**
 * Opens the listener's dedicated connection. It must open a new physical connection each time, not
 * borrow one from a pool: the listener holds it for as long as it runs.
 */
@FunctionalInterface
public interface ConnectionFactory {

    Connection open() throws SQLException;

    /**
     * Connections to a JDBC URL ({@code jdbc:postgresql://host:port/db}). The password is kept
     * inside the factory and never appears in its {@code toString} or in errors, nor does the
     * URL's query.
     */
    static ConnectionFactory of(String jdbcUrl, String user, String password) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        return new ConnectionFactory() {
            @Override
            public Connection open() throws SQLException {
                Properties props = new Properties();
                if (user != null) {
                    props.setProperty("user", user);
                }
                if (password != null) {
                    props.setProperty("password", password);
                }
                props.setProperty("ApplicationName", "bridge-listener");
                props.setProperty("tcpKeepAlive", "true");
                return DriverManager.getConnection(jdbcUrl, props);
            }

            @Override
            public String toString() {
                return dev.bridge.core.Secrets.maskUri(jdbcUrl) + (user == null ? "" : " as " + user);
            }
        };
    }
}
