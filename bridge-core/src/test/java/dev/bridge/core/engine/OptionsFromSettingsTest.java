package dev.bridge.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.bridge.core.InvalidSettingException;
import dev.bridge.core.Op;
import dev.bridge.core.settings.MapSettings;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The engine's options read their own keys, each problem reported at once with its setting's path. */
class OptionsFromSettingsTest {

    private static Map<String, Object> delivery() {
        Map<String, Object> retry = new HashMap<>(Map.of("schedule", List.of(), "initial-backoff", "100ms", "max-backoff", "30s",
                "max-attempts", 20, "max-age", "1h"));
        Map<String, Object> endpoint = new HashMap<>(Map.of("down-after", 5, "down-after-time", "1s", "probe-min", "200ms", "probe-max", "2s",
                "count-outages", false));
        return new HashMap<>(Map.of("parallelism", 4, "batch-size", 100, "linger", "0ms", "buffer-changes", 10000,
                "buffer-bytes", "64MiB", "ack-timeout", "60s", "retry", retry, "endpoint", endpoint));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> block(Map<String, Object> delivery, String key) {
        return (Map<String, Object>) delivery.get(key);
    }

    /** The messages of every problem a sink's delivery block has, read at once. */
    private static List<String> problemsOf(Map<String, Object> delivery) {
        InvalidSettingException e = catchThrowableOfType(InvalidSettingException.class,
                () -> DeliveryPolicy.from(new MapSettings("bridge.sinks[0].delivery", delivery)));
        return Arrays.stream(e.getSuppressed()).map(Throwable::getMessage).toList();
    }

    @Test
    void theShippedValuesReadAsTheDefaults() {
        assertThat(DeliveryPolicy.from(new MapSettings("d", delivery()))).isEqualTo(DeliveryPolicy.defaults());
        assertThat(EngineOptions.from(new MapSettings("bridge.engine", Map.of("checkpoint-interval", "1s",
                "shutdown-deadline", "30s", "hand-over-time", "500ms")))).isEqualTo(EngineOptions.defaults());
        SinkFilter filter = SinkFilter.from(new MapSettings("f", Map.of("buckets", List.of("orders*"), "exclude-buckets", List.of(),
                "ops", List.of("insert", "DELETE"))));
        assertThat(filter.include()).containsExactly("orders*");
        assertThat(filter.ops()).containsExactlyInAnyOrder(Op.INSERT, Op.DELETE);
    }

    @Test
    void everyBadKeyOfADeliveryBlockIsNamedAtOnceAcrossFieldsToo() {
        Map<String, Object> bad = delivery();
        bad.put("parallelism", 0);
        bad.put("ack-timeout", "soon");
        block(bad, "retry").put("max-backoff", "50ms");

        assertThat(problemsOf(bad)).containsExactly(
                "bridge.sinks[0].delivery.parallelism must be from 1 to 1024, got 0",
                "bridge.sinks[0].delivery.ack-timeout must be a duration such as 500ms, 5s or 2m, got 'soon'",
                "bridge.sinks[0].delivery.retry.max-backoff must not be below initial-backoff (100ms), got 50ms");
    }

    @Test
    void theEndpointKeysAreReadAndEachBadOneIsNamed() {
        Map<String, Object> mine = delivery();
        Map<String, Object> endpoint = block(mine, "endpoint");
        endpoint.putAll(Map.of("down-after", 3, "down-after-time", "500ms", "probe-min", "1s", "probe-max", "1m", "count-outages", true));
        assertThat(DeliveryPolicy.from(new MapSettings("d", mine)).endpoint())
                .isEqualTo(new EndpointPolicy(3, Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMinutes(1), true));

        endpoint.putAll(Map.of("down-after", 1, "probe-min", "3s", "probe-max", "2s", "count-outages", "sometimes"));
        assertThat(problemsOf(mine)).containsExactly(
                "bridge.sinks[0].delivery.endpoint.down-after must be at least 2, got 1",
                "bridge.sinks[0].delivery.endpoint.probe-max must not be below probe-min (3s), got 2s",
                "bridge.sinks[0].delivery.endpoint.count-outages must be true or false, got 'sometimes'");
    }

    @Test
    void aFilterNeedsAKnownOperationAndNoEmptyPattern() {
        InvalidSettingException e = catchThrowableOfType(InvalidSettingException.class, () -> SinkFilter.from(new MapSettings("f",
                Map.of("buckets", List.of(""), "exclude-buckets", List.of(), "ops", List.of("UPSERT")))));
        assertThat(Arrays.stream(e.getSuppressed()).map(Throwable::getMessage)).containsExactly(
                "f.buckets must not hold an empty pattern", "f.ops may hold only INSERT, UPDATE and DELETE, got 'UPSERT'");
        assertThat(catchThrowableOfType(InvalidSettingException.class, () -> EngineOptions.from(new MapSettings("bridge.engine",
                Map.of("checkpoint-interval", "0s", "shutdown-deadline", Duration.ofSeconds(1), "hand-over-time", "-1s")))))
                .hasMessageContaining("bridge.engine.checkpoint-interval must be positive, got 0")
                .hasMessageContaining("bridge.engine.hand-over-time must not be negative");
    }
}
