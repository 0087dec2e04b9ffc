package dev.bridge.app.config;

import java.util.Objects;
import java.util.Set;

/**
 * The operations endpoint ({@code bridge.ops}).
 *
 * @param readyChecks the checks whose failure makes {@code /health/ready} answer 503, of
 *     {@link #READY_CHECKS}; every check is reported either way
 */
public record OpsSettings(boolean enabled, String host, int port, Set<String> readyChecks) {

    /** {@code listener}: a PostgreSQL listener is not connected; {@code sinks}: a sink is down. */
    public static final Set<String> READY_CHECKS = Set.of("listener", "sinks");

    public OpsSettings {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be from 0 to 65535, got " + port);
        }
        readyChecks = Set.copyOf(readyChecks);
        for (String check : readyChecks) {
            if (!READY_CHECKS.contains(check)) {
                throw new IllegalArgumentException("ready-checks: must hold only " + String.join(", ", new java.util.TreeSet<>(READY_CHECKS))
                        + ", got '" + check + "'");
            }
        }
    }

    /** Another port, the rest as it is. */
    public OpsSettings withPort(int value) {
        return new OpsSettings(enabled, host, value, readyChecks);
    }
}
