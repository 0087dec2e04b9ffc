package dev.bridge.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bridge.app.config.BridgeSettings;
import dev.bridge.app.config.ConfigLoader;
import dev.bridge.app.config.SinkSpec;
import dev.bridge.core.engine.DeliveryPolicy;
import dev.bridge.core.engine.EngineOptions;
import dev.bridge.core.engine.SinkFilter;
import dev.bridge.postgres.PostgresOptions;
import dev.bridge.sink.webhook.WebhookSinkProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon reads its defaults from the reference.conf files, a library user gets them from the
 * options' {@code defaults()}: both must be the same values, so that a default changed in one place
 * and not the other fails here. The sinks' own options are checked in their modules.
 */
class ShippedDefaultsTest {

    private static final ClassLoader LOADER = ShippedDefaultsTest.class.getClassLoader();

    @TempDir
    Path dir;

    private BridgeSettings daemonDefaults() throws IOException {
        Path file = Files.writeString(dir.resolve("bridge.conf"), "bridge.sinks = [ { type = console }, { type = redis },"
                + " { type = webhook, url = \"https://receiver.example/hook\" } ]");
        return BridgeSettings.load(ConfigLoader.load(Optional.of(file), Map.of(), new Properties(), LOADER), LOADER);
    }

    @Test
    void theEngineAndPostgresDefaultsOfTheReferenceFilesAreThoseOfTheOptionsInCode() throws IOException {
        BridgeSettings settings = daemonDefaults();
        assertThat(settings.engine()).isEqualTo(EngineOptions.defaults());
        assertThat(settings.postgres().options()).isEqualTo(PostgresOptions.defaults());
    }

    @Test
    void eachSinkIsFedAndFilteredAsALibraryUserGetsItFromTheBuilder() throws IOException {
        Map<String, SinkSpec> sinks = new java.util.HashMap<>();
        daemonDefaults().sinks().forEach(s -> sinks.put(s.type(), s));
        assertThat(sinks.get("console").policy()).isEqualTo(DeliveryPolicy.defaults());
        assertThat(sinks.get("redis").policy()).isEqualTo(DeliveryPolicy.defaults());
        assertThat(sinks.get("webhook").policy()).isEqualTo(WebhookSinkProvider.deliveryPolicy());
        for (SinkSpec sink : sinks.values()) {
            assertThat(sink.filter()).usingRecursiveComparison().comparingOnlyFields("include", "exclude", "ops")
                    .isEqualTo(SinkFilter.all());
        }
    }
}
