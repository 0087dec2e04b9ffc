package dev.bridge.core.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bridge.core.BridgeException;
import dev.bridge.core.InvalidSettingException;
import dev.bridge.core.UnknownSinkTypeException;
import dev.bridge.core.port.ChangeSink;
import dev.bridge.core.port.SinkProvider;
import dev.bridge.core.settings.MapSettings;
import dev.bridge.core.settings.Settings;
import dev.bridge.core.sink.console.ConsoleSinkProvider;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SinkTypesTest {

    private static final Settings NO_SETTINGS = new MapSettings("bridge.sinks[2]", Map.of());

    @TempDir
    Path dir;

    @Test
    void findsTheConsoleSinkOnTheClassPath() {
        SinkTypes types = SinkTypes.load();

        assertThat(types.known()).contains("console");
        ChangeSink sink = types.create("console", "out", new MapSettings("bridge.sinks[2]", java.util.Map.of("stream", "stdout")));
        assertThat(sink.name()).isEqualTo("out");
        assertThat(sink.getClass().getPackageName()).isEqualTo("dev.bridge.core.sink.console");
    }

    @Test
    void knownTypesAreSorted() {
        SinkTypes types = SinkTypes.of(List.of(new Fake("webhook"), new Fake("console"), new Fake("redis")));

        assertThat(types.known()).containsExactly("console", "redis", "webhook");
    }

    @Test
    void anUnknownTypeSaysWhereItIsAndListsTheKnownOnes() {
        SinkTypes types = SinkTypes.of(List.of(new Fake("webhook"), new Fake("console"), new Fake("redis")));

        assertThatThrownBy(() -> types.create("kafka", "events", NO_SETTINGS))
                .isInstanceOf(UnknownSinkTypeException.class)
                .hasMessage("unknown sink type 'kafka' at bridge.sinks[2].type; known types: console, redis, webhook")
                .satisfies(e -> assertThat(((UnknownSinkTypeException) e).type()).isEqualTo("kafka"));
    }

    @Test
    void anUnknownTypeWithNoProvidersSaysSo() {
        assertThatThrownBy(() -> SinkTypes.of(List.of()).create("console", "out", NO_SETTINGS))
                .hasMessage("unknown sink type 'console' at bridge.sinks[2].type; known types: none (no sink provider is on the class path)");
    }

    @Test
    void twoProvidersOfOneTypeFailAtLoadNamingBoth() throws IOException {
        Path services = dir.resolve("META-INF/services/" + SinkProvider.class.getName());
        Files.createDirectories(services.getParent());
        Files.writeString(services, "# a second console\n" + SecondConsole.class.getName() + "\n");

        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            assertThatThrownBy(() -> SinkTypes.load(loader))
                    .isInstanceOf(BridgeException.class)
                    .hasMessage("sink type 'console' is provided by both " + ConsoleSinkProvider.class.getName() + " and "
                            + SecondConsole.class.getName() + "; remove one of them from the class path");
        }
    }

    @Test
    void aProviderThatCannotBeLoadedFailsAtLoad() throws IOException {
        Path services = dir.resolve("META-INF/services/" + SinkProvider.class.getName());
        Files.createDirectories(services.getParent());
        Files.writeString(services, "com.example.Missing\n");

        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            assertThatThrownBy(() -> SinkTypes.load(loader))
                    .isInstanceOf(BridgeException.class)
                    .hasMessageStartingWith("could not load a sink provider (")
                    .hasMessageContaining("com.example.Missing")
                    .hasMessageEndingWith("; check the jars on the class path and the classes their META-INF/services/"
                            + SinkProvider.class.getName() + " lists");
        }
    }

    @Test
    void rejectsATypeThatIsNotLowerCase() {
        assertThatThrownBy(() -> SinkTypes.of(List.of(new Fake("Redis"))))
                .isInstanceOf(BridgeException.class)
                .hasMessage("sink provider " + Fake.class.getName()
                        + " has the type 'Redis'; a type is lower-case letters, digits, '.', '_' and '-'; fix the provider");
        assertThatThrownBy(() -> SinkTypes.of(List.of(new Fake(" ")))).hasMessageContaining("has the type ' '");
        assertThatThrownBy(() -> SinkTypes.of(List.of(new Fake(null)))).hasMessageContaining("has the type null");
    }

    @Test
    void passesTheProvidersSettingErrorsOn() {
        SinkTypes types = SinkTypes.load();
        Settings settings = new MapSettings("bridge.sinks[0]", Map.of("stream", "stdin"));

        assertThatThrownBy(() -> types.create("console", "out", settings))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("bridge.sinks[0].stream must be stdout or stderr, got 'stdin'");
    }

    @Test
    void aProviderMustNameTheSinkAsAsked() {
        SinkTypes types = SinkTypes.of(List.of(new Fake("fake") {
            @Override
            public ChangeSink create(String name, Settings settings) {
                return super.create("fixed", settings);
            }
        }));

        assertThatThrownBy(() -> types.create("fake", "wanted", NO_SETTINGS))
                .isInstanceOf(BridgeException.class)
                .hasMessageContaining("made a sink named 'fixed' when asked for 'wanted' (bridge.sinks[2]); fix the provider");
    }

    /** Claims the console's type; loaded by {@link java.util.ServiceLoader}, so public. */
    public static final class SecondConsole extends Fake {
        public SecondConsole() {
            super("console");
        }
    }

    private static class Fake implements SinkProvider {
        private final String type;

        Fake(String type) {
            this.type = type;
        }

        @Override
        public String type() {
            return type;
        }

        @Override
        public ChangeSink create(String name, Settings settings) {
            return new ChangeSink() {
                @Override
                public String name() {
                    return name;
                }

                @Override
                public void deliver(List<dev.bridge.core.Change> batch, dev.bridge.core.port.Acknowledger acks) {
                }
            };
        }
    }
}
