package dev.bridge.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md is generated from the reference.conf files' keys and comments; this test
 * fails when they drift apart. Regenerate with {@code BRIDGE_WRITE_DOCS=1 ./mvnw -pl bridge-app test
 * -Dtest=ConfigurationReferenceTest}.
 */
class ConfigurationReferenceTest {

    private static final Path DOC = Path.of("..", "docs", "configuration.md");

    @Test
    void docsConfigurationMdIsGeneratedFromTheReferenceFiles() throws IOException {
        String expected = render(ConfigFactory.defaultReference(getClass().getClassLoader()));
        if ("1".equals(System.getenv("BRIDGE_WRITE_DOCS"))) {
            Files.writeString(DOC, expected);
        }
        assertThat(Files.readString(DOC)).as("docs/configuration.md is stale; regenerate it (see this test's Javadoc)")
                .isEqualTo(expected);
    }

    @Test
    void everyKeyHasACommentThatStatesItsDefault() {
        for (Entry e : entries(ConfigFactory.defaultReference(getClass().getClassLoader()))) {
            assertThat(e.comment()).as("comment of %s", e.path()).isNotBlank();
            assertThat(e.comment()).as("comment of %s names its default", e.path()).containsIgnoringCase("default");
        }
    }

    record Entry(String path, String file, int line, String comment, String value) {
    }

    static List<Entry> entries(Config reference) {
        List<Entry> entries = new ArrayList<>();
        collect(reference.getObject("bridge"), "bridge", entries);
        entries.sort(Comparator.comparing(Entry::file).thenComparingInt(Entry::line));
        return entries;
    }

    private static void collect(ConfigObject block, String path, List<Entry> entries) {
        for (Map.Entry<String, ConfigValue> e : block.entrySet()) {
            ConfigValue v = e.getValue();
            String key = path + "." + e.getKey();
            if (v instanceof ConfigObject inner && !inner.isEmpty()) {
                collect(inner, key, entries);
                continue;
            }
            String url = v.origin().url() == null ? v.origin().description() : v.origin().url().toString();
            String file = url.contains("!/") ? url.substring(0, url.indexOf("!/")) : url;
            file = file.replaceAll(".*/(bridge-[a-z-]+)/target/classes/reference.conf", "$1")
                    .replaceAll(".*/(bridge-[a-z-]+)-[0-9][^/]*\\.jar", "$1");
            String comment = String.join("\n", v.origin().comments()).strip();
            String value = v.valueType() == ConfigValueType.NULL ? "none (required)"
                    : v.render(ConfigRenderOptions.concise().setJson(true));
            entries.add(new Entry(key, file, v.origin().lineNumber(), comment, value));
        }
    }

    static String render(Config reference) {
        StringBuilder doc = new StringBuilder("""
                # Configuration reference

                Generated from the `reference.conf` files of the modules (a test checks it stays in step): every key,
                its meaning, unit and default. A configuration file (`--config FILE` or `BRIDGE_CONFIG`) sets only what
                differs; see the README for a complete example, the `DB_*` variables and the `BRIDGE_*` overrides.
                Durations are written `500ms`, `5s`, `2m`, `1h`, `2d`; sizes `512KiB`, `64MiB`.
                """);
        String file = "";
        for (Entry e : entries(reference)) {
            if (!e.file().equals(file)) {
                file = e.file();
                doc.append("\n## ").append(file).append("\n");
            }
            doc.append("\n### `").append(e.path()).append("`\n\n")
                    .append("Default: `").append(e.value()).append("`\n\n")
                    .append(e.comment().replaceAll("(?m)^ ?", "").replaceFirst("\\s*Default:[^\n]*$", "")).append('\n');
        }
        return doc.toString();
    }
}
