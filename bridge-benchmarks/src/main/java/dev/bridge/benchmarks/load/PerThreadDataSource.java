package dev.bridge.benchmarks.load;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Gives each thread one physical connection of its own, opened on its first request and handed
 * out again (in autocommit) on every later one; closing what it hands out does nothing. So each
 * writer thread has its own connection, as with a pool sized to the writers. {@link #close()}
 * closes them all.
 */
final class PerThreadDataSource implements DataSource, AutoCloseable {

    private final Postgres.Endpoint endpoint;
    private final String applicationName;
    private final ThreadLocal<Connection> own = new ThreadLocal<>();
    private final List<Connection> opened = new ArrayList<>();

    PerThreadDataSource(Postgres.Endpoint endpoint, String applicationName) {
        this.endpoint = endpoint;
        this.applicationName = applicationName;
    }

    @Override
    public Connection getConnection() throws SQLException {
        Connection c = own.get();
        if (c == null || c.isClosed()) {
            c = endpoint.open(applicationName);
            own.set(c);
            synchronized (opened) {
                opened.add(c);
            }
        }
        c.setAutoCommit(true);
        Connection physical = c;
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("close")) {
                        return null;
                    }
                    try {
                        return method.invoke(physical, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Override
    public void close() {
        synchronized (opened) {
            for (Connection c : opened) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // closing anyway
                }
            }
            opened.clear();
        }
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("the credentials are fixed");
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
    }

    @Override
    public void setLoginTimeout(int seconds) {
    }

    @Override
    public int getLoginTimeout() {
        return 0;
    }

    @Override
    public Logger getParentLogger() {
        return Logger.getGlobal();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return false;
    }
}
