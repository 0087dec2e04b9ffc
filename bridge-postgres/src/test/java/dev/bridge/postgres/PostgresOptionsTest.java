package dev.bridge.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.bridge.core.InvalidSettingException;
import dev.bridge.core.settings.MapSettings;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** bridge-postgres reads its own keys; the daemon's reference.conf against the code defaults is checked in bridge-app. */
class PostgresOptionsTest {

    private static Map<String, Object> shipped() {
        Map<String, Object> block = new HashMap<>();
        block.putAll(Map.of("schema", "bridge", "channel", "bridge", "mode", "at-least-once", "max-frame-bytes", 7999,
                "poll-interval", "1s", "page-size", 1000, "retention", "1h", "max-retention", "7d", "prune-interval", "1m",
                "lock-timeout", "3s"));
        block.putAll(Map.of("check-interval", "5s", "check-timeout", "5s", "reconnect-min", "100ms", "reconnect-max", "30s",
                "queue-usage-warning", 0.5, "lease-time", "1s"));
        block.put("reassembly", new HashMap<>(Map.of("max-message-bytes", "32MiB", "max-messages-in-flight", 1000,
                "max-buffered-bytes", "64MiB", "expire-after", "60s", "legacy-frames", false, "unsigned-frames", false)));
        return block;
    }

    @Test
    void theShippedValuesReadAsTheDefaults() {
        assertThat(PostgresOptions.from(new MapSettings("bridge.postgres", shipped()))).isEqualTo(PostgresOptions.defaults());
    }

    @Test
    void everyProblemIsNamedByItsKeyTheOnesAcrossKeysToo() {
        Map<String, Object> block = shipped();
        block.put("schema", "bad name");
        block.put("mode", "exactly-once");
        block.put("max-retention", "30m");
        block.put("queue-usage-warning", 0);
        block.put("lease-time", "100ms");
        @SuppressWarnings("unchecked")
        Map<String, Object> reassembly = (Map<String, Object>) block.get("reassembly");
        reassembly.put("max-buffered-bytes", "1MiB");

        InvalidSettingException e = catchThrowableOfType(InvalidSettingException.class,
                () -> PostgresOptions.from(new MapSettings("bridge.postgres", block)));

        assertThat(Arrays.stream(e.getSuppressed()).map(Throwable::getMessage)).containsExactly(
                "bridge.postgres.schema must be a letter or underscore followed by up to 62 letters, digits or underscores, got 'bad name'",
                "bridge.postgres.queue-usage-warning must be a number above 0.0 and at most 1.0, got 0.0",
                "bridge.postgres.mode must be one of at-least-once, at-most-once, got 'exactly-once'",
                "bridge.postgres.lease-time must be at least 250ms, got 100ms",
                "bridge.postgres.max-retention must be 0 (no limit) or at least retention (1h), got 30m",
                "bridge.postgres.reassembly.max-buffered-bytes must be at least reassembly.max-message-bytes (32MiB), got 1MiB");
    }

    @Test
    void framesOptionsAreRefusedInAtLeastOnceMode() {
        Map<String, Object> block = shipped();
        @SuppressWarnings("unchecked")
        Map<String, Object> reassembly = (Map<String, Object>) block.get("reassembly");
        reassembly.put("legacy-frames", true);
        assertThat(catchThrowableOfType(InvalidSettingException.class, () -> PostgresOptions.from(new MapSettings("bridge.postgres",
                block)))).hasMessageStartingWith("bridge.postgres.reassembly.legacy-frames is read in at-most-once mode only");
        block.put("mode", "at-most-once");
        assertThat(PostgresOptions.from(new MapSettings("bridge.postgres", block)).reassembly().legacyFrames()).isTrue();
    }
}
