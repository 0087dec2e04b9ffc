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
}
