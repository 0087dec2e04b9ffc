package dev.bridge.app.config;

import java.util.Objects;

/** The operations endpoint ({@code bridge.ops}). */
public record OpsSettings(boolean enabled, String host, int port) {
    public OpsSettings {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be from 0 to 65535, got " + port);
        }
    }
}
