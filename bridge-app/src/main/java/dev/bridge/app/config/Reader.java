package dev.bridge.app.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.bridge.core.settings.Settings;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Typed reads of one block that record a {@link Problem} instead of throwing, so every problem is
 * found in one pass. A failed read returns a harmless placeholder; callers build their records only
 * if {@link #failed()} is false.
 */
final class Reader {

    private final Config config;
    private final String label;
    private final List<Problem> problems;
    private final int problemsBefore;

    /**
     * @param config the block
     * @param label the block's full path for messages, e.g. {@code bridge.sinks[1]}
     */
    Reader(Config config, String label, List<Problem> problems) {
        this.config = config;
        this.label = label;
        this.problems = problems;
        this.problemsBefore = problems.size();
    }

    /** Whether any read of this reader failed (or any problem was added since it was made). */
    boolean failed() {
        return problems.size() > problemsBefore;
    }

    String label(String key) {
        return label.isEmpty() ? key : label + "." + key;
    }

    void problem(String key, String message) {
        problems.add(new Problem(label(key), origin(key), message));
    }

    String origin(String key) {
        return origin(config, key);
    }

    /** Where {@code key} of {@code block} was set, as {@link #describe} puts it; empty if unset. */
    static String origin(Config block, String key) {
        try {
            if (!block.hasPathOrNull(key)) {
                return "";
            }
            // Walked by hand: getValue refuses a null, whose origin is wanted too.
            ConfigValue value = block.root();
            for (String part : com.typesafe.config.ConfigUtil.splitPath(key)) {
                value = ((com.typesafe.config.ConfigObject) value).get(part);
            }
            return describe(value.origin());
        } catch (ConfigException | ClassCastException e) {
            return "";
        }
    }

    static String describe(ConfigOrigin origin) {
        if (origin == null) {
            return "";
        }
        int line = origin.lineNumber();
        String where;
        if (origin.filename() != null) {
            where = origin.filename();
        } else if (origin.url() != null) {
            URL url = origin.url();
            String path = url.getPath();
            where = path.substring(path.lastIndexOf('/') + 1);
        } else {
            return origin.description();
        }
        return line > 0 ? where + ":" + line : where;
    }

    String string(String key) {
        ConfigValue value = value(key);
        if (value == null) {
            return "";
        }
        if (value.valueType() == ConfigValueType.OBJECT || value.valueType() == ConfigValueType.LIST) {
            problem(key, "must be text, got " + kind(value));
            return "";
        }
        return String.valueOf(value.unwrapped());
    }

    String nonBlank(String key) {
        String text = string(key);
        if (text.isBlank() && config.hasPath(key)) {
            problem(key, "must not be blank");
        }
        return text;
    }

    int integer(String key, int min, int max) {
        if (value(key) == null) {
            return min;
        }
        try {
            int v = config.getInt(key);
            if (v < min || v > max) {
                problem(key, "must be " + range(min, max) + ", got " + v);
                return min;
            }
            return v;
        } catch (ConfigException e) {
            problem(key, "must be a whole number " + range(min, max) + ", got " + shown(key));
            return min;
        }
    }

    boolean bool(String key) {
        if (value(key) == null) {
            return false;
        }
        try {
            return config.getBoolean(key);
        } catch (ConfigException e) {
            problem(key, "must be true or false, got " + shown(key));
            return false;
        }
    }

    /** A duration; {@code positive} also refuses zero. */
    Duration duration(String key, boolean positive) {
        if (value(key) == null) {
            return Duration.ofSeconds(1);
        }
        try {
            Duration d = config.getDuration(key);
            if (d.isNegative() || positive && d.isZero()) {
                problem(key, "must be " + (positive ? "positive" : "zero or more") + ", got " + shown(key));
                return Duration.ofSeconds(1);
            }
            return d;
        } catch (ConfigException e) {
            problem(key, "must be a duration such as 500ms, 5s, 2m or 1h, got " + shown(key));
            return Duration.ofSeconds(1);
        }
    }

    List<String> strings(String key) {
        if (value(key) == null) {
            return List.of();
        }
        try {
            return config.getStringList(key);
        } catch (ConfigException e) {
            problem(key, "must be a list of text values, got " + shown(key));
            return List.of();
        }
    }

    /** One of {@code choices}' keys, ignoring case. */
    <E> E choice(String key, Map<String, E> choices, E placeholder) {
        String text = string(key);
        if (value(key) == null || failed() && text.isEmpty()) {
            return placeholder;
        }
        E chosen = choices.get(text.toLowerCase(Locale.ROOT));
        if (chosen == null) {
            problem(key, "must be one of " + String.join(", ", new java.util.TreeSet<>(choices.keySet())) + ", got " + shown(key));
            return placeholder;
        }
        return chosen;
    }

    /** The value, or null after recording that it is required. */
    private ConfigValue value(String key) {
        try {
            if (!config.hasPathOrNull(key) || config.getIsNull(key)) {
                problem(key, "is required");
                return null;
            }
            return config.getValue(key);
        } catch (ConfigException e) {
            problem(key, "is not a valid setting path");
            return null;
        }
    }

    private String shown(String key) {
        return shown(config, key);
    }

    /** A set value for a message: its kind if a block or list, hidden if its key looks secret, else quoted (at most 100 characters). */
    static String shown(Config block, String key) {
        ConfigValue value = block.getValue(key);
        if (value.valueType() == ConfigValueType.OBJECT || value.valueType() == ConfigValueType.LIST) {
            return kind(value);
        }
        if (Settings.looksSecret(key)) {
            return "<hidden>";
        }
        String text = dev.bridge.core.Secrets.maskUri(String.valueOf(value.unwrapped()));
        return "'" + (text.length() <= 100 ? text : text.substring(0, 100) + "…") + "'";
    }

    static String kind(ConfigValue value) {
        return value.valueType() == ConfigValueType.OBJECT ? "a block" : "a list";
    }

    private static String range(long min, long max) {
        return max == Integer.MAX_VALUE || max == Long.MAX_VALUE ? "at least " + min : "from " + min + " to " + max;
    }
}
