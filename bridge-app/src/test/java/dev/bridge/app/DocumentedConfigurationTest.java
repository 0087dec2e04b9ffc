package dev.bridge.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.bridge.app.config.BridgeSettings;
import dev.bridge.app.config.ConfigLoader;
import dev.bridge.app.config.InvalidConfigException;
import dev.bridge.app.config.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configurations and messages the documentation shows are the real ones. */
class DocumentedConfigurationTest {

    private static final Pattern HOCON = Pattern.compile("```hocon\\n(.*?)```", Pattern.DOTALL);
    private static final ClassLoader LOADER = DocumentedConfigurationTest.class.getClassLoader();

    @TempDir
    Path dir;

    @Test
    void theInjectorBuildsForEveryExampleConfigurationInTheDocs() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(Path.of("..", "README.md"), Path.of("README.md")));
        try (Stream<Path> files = Files.list(Path.of("..", "docs"))) {
            files.filter(f -> f.toString().endsWith(".md")).forEach(docs::add);
        }
        int examples = 0;
        for (Path doc : docs) {
            Matcher m = HOCON.matcher(Files.readString(doc));
            while (m.find()) {
                Path conf = Files.writeString(dir.resolve("example-" + examples++ + ".conf"), m.group(1));
                BridgeSettings settings = BridgeSettings.load(ConfigLoader.load(Optional.of(conf), Map.of(), new Properties(), LOADER),
                        LOADER);
                Bridge bridge = Bridge.injector(settings).getInstance(Bridge.class);
                assertThat(bridge.engine().stats().sinks()).extracting(dev.bridge.core.engine.SinkStats::sink)
                        .as("%s, example %d: the engine holds the sinks it declares", doc, examples)
                        .containsExactlyElementsOf(settings.sinks().stream().map(dev.bridge.app.config.SinkSpec::name).toList());
            }
        }
        assertThat(examples).as("hocon examples found").isGreaterThanOrEqualTo(2);
    }

    @Test
    void theReadmeShowsTheMessagesAnInvalidConfigurationGets() throws IOException {
        Path conf = dir.resolve("application.conf");
        Files.writeString(conf, """
                bridge {
                  consumer = "orders-bridge"
                  postgres {
                    hots = "db.internal"
                  }
                  sinks = [
                    { type = console }
                    {
                      type = webhook
                      name = billing
                      url = "https://billing.internal/hooks/bridge"
                      timeout = soon
                    }
                  ]
                }
                """);
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class,
                () -> BridgeSettings.load(ConfigLoader.load(Optional.of(conf), Map.of(), new Properties(), LOADER), LOADER));
        String readme = Files.readString(Path.of("..", "README.md"));
        assertThat(e.problems()).hasSize(2);
        for (Problem p : e.problems()) {
            assertThat(readme).contains("  - " + p.toString().replace(conf.toString(), "application.conf"));
        }
    }
}
