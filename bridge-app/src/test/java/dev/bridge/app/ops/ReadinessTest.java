package dev.bridge.app.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReadinessTest {

    @Test
    void copiesTheChecksInTheirOrder() {
        Map<String, String> checks = new LinkedHashMap<>();
        checks.put("postgres", "connected");
        checks.put("engine", "running");
        checks.put("sink billing", "started");

        Readiness readiness = new Readiness(true, checks);
        checks.put("late", "added");

        assertThat(readiness.checks()).containsExactly(
                Map.entry("postgres", "connected"), Map.entry("engine", "running"), Map.entry("sink billing", "started"));
        assertThatThrownBy(() -> readiness.checks().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void rejectsMissingOrBlankParts() {
        assertThatThrownBy(() -> new Readiness(true, null)).isInstanceOf(NullPointerException.class).hasMessage("checks");
        assertThatThrownBy(() -> new Readiness(true, Map.of(" ", "ok")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name must not be blank");
        assertThatThrownBy(() -> new Readiness(true, Collections.singletonMap(null, "ok")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name must not be blank");
        assertThatThrownBy(() -> new Readiness(false, Collections.singletonMap("postgres", null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'postgres'");
    }
}
