package dev.bridge.app.ops;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Whether the daemon can do its work now, with the detail of each check, in the order given.
 *
 * @param ready true if the daemon is ready (served as 200, else 503)
 * @param checks each check's name (e.g. {@code postgres}) and a short detail (e.g. {@code connected});
 *     copied. Details are served to anyone who can reach the endpoint: never put a secret in them.
 */
public record Readiness(boolean ready, Map<String, String> checks) {

    public Readiness {
        Objects.requireNonNull(checks, "checks");
        Map<String, String> copy = new LinkedHashMap<>();
        checks.forEach((name, detail) -> {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("checks: a check's name must not be blank, got '" + name + "'");
            }
            if (detail == null) {
                throw new IllegalArgumentException("checks: the detail of check '" + name + "' must not be null");
            }
            copy.put(name, detail);
        });
        checks = Collections.unmodifiableMap(copy);
    }
}
