package dev.bridge.app.config;

import com.typesafe.config.Config;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How the daemon logs ({@code bridge.log}). Read before anything else, because logging is set up
 * once, before the first log line.
 *
 * @param json one JSON object per line instead of text
 * @param level ERROR, WARN, INFO, DEBUG or TRACE
 */
public record LogSettings(boolean json, String level) {

    private static final Map<String, Boolean> FORMATS = Map.of("text", false, "json", true);
    private static final Map<String, String> LEVELS = Map.of("error", "ERROR", "warn", "WARN", "info", "INFO",
            "debug", "DEBUG", "trace", "TRACE");

    /** @throws InvalidConfigException if the format or level is not one of the known ones */
    public static LogSettings from(Config config) {
        List<Problem> problems = new ArrayList<>();
        Reader r = new Reader(config, "", problems);
        LogSettings settings = new LogSettings(r.choice("bridge.log.format", FORMATS, false),
                r.choice("bridge.log.level", LEVELS, "INFO"));
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
        return settings;
    }
}
