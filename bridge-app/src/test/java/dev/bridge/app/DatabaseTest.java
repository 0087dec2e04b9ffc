package dev.bridge.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bridge.app.config.BridgeSettings;
import dev.bridge.app.config.ConfigLoader;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class DatabaseTest {

    @Test
    void theListenersConnectionsAreNamedByTheServerWithoutThePassword() {
        ClassLoader loader = getClass().getClassLoader();
        BridgeSettings settings = BridgeSettings.load(ConfigLoader.load(Optional.empty(), Map.of("DB_HOST", "db.internal",
                "DB_PORT", "6432", "DB_DATABASE", "shop", "DB_PASSWORD", "hunter2"), new Properties(), loader), loader);
        Database database = new Database(settings.postgres());

        assertThat(database.listenerConnections().toString()).isEqualTo("postgres at db.internal:6432/shop").doesNotContain("hunter2");
    }

    @Test
    void aServerThatAsksForAPasswordWhenNoneIsSetIsToldAsSuch() throws Exception {
        // Answers pgjdbc's start-up with a request for SCRAM authentication, as a server with scram-sha-256 in pg_hba does.
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Thread answer = new Thread(() -> {
                try (java.net.Socket s = server.accept()) {
                    java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
                    in.readFully(new byte[in.readInt() - 4]);
                    byte[] mechanism = "SCRAM-SHA-256\0\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                    java.io.DataOutputStream out = new java.io.DataOutputStream(s.getOutputStream());
                    out.writeByte('R');
                    out.writeInt(4 + 4 + mechanism.length);
                    out.writeInt(10);
                    out.write(mechanism);
                    out.flush();
                    in.read();
                } catch (java.io.IOException ignored) {
                    // the client went away
                }
            });
            answer.setDaemon(true);
            answer.start();
            java.sql.SQLException refused = null;
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(
                    "jdbc:postgresql://127.0.0.1:" + server.getLocalPort() + "/shop?sslmode=disable&user=app")) {
                org.junit.jupiter.api.Assertions.fail("connected without a password");
            } catch (java.sql.SQLException e) {
                refused = e;
            }

            assertThat(Database.connectFailure("127.0.0.1", server.getLocalPort(), "shop", "app", refused).getMessage())
                    .contains("asks user 'app' for a password and none is set", "bridge.postgres.password", "DB_PASSWORD");
        }
    }
}
