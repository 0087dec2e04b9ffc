package dev.bridge.app;

import dev.bridge.app.config.LogSettings;

/**
 * Sets up Logback from {@code bridge.log} before the first logger is made: logback.xml reads
 * these system properties when it initialises.
 */
final class Logging {

    private Logging() {
    }

    static void configure(LogSettings settings, boolean debug) {
        System.setProperty("bridge.log.format", settings.json() ? "json" : "text");
        System.setProperty("bridge.log.level", debug ? "DEBUG" : settings.level());
    }
}
