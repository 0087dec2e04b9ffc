package dev.bridge.app.config;

import java.util.Objects;

/**
 * One thing wrong with the configuration.
 *
 * @param path the setting's full path, e.g. {@code bridge.sinks[1].url}
 * @param origin where its value was set, e.g. {@code bridge.conf:12}; empty if it was not set or
 *     the place is unknown
 * @param message what is wrong and what to do; never a secret's value
 */
public record Problem(String path, String origin, String message) {
    public Problem {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return path + (origin.isEmpty() ? "" : " (" + origin + ")") + ": " + message;
    }
}
