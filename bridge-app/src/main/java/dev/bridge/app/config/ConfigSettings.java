package dev.bridge.app.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.bridge.core.InvalidSettingException;
import dev.bridge.core.settings.Settings;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A block of the HOCON configuration (a sink's, with its type's defaults beneath it, or a module's); errors name the file and line. */
final class ConfigSettings implements Settings {

    private final Config block;
    private final String path;

    ConfigSettings(Config block, String path) {
        this.block = block;
        this.path = path;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public Optional<String> string(String key) {
        return value(key).map(v -> switch (v.valueType()) {
            case STRING, NUMBER, BOOLEAN -> String.valueOf(v.unwrapped());
            default -> throw invalid(key, "must be text, got " + Reader.kind(v));
        });
    }

    @Override
    public Optional<Integer> integer(String key) {
        return value(key).map(v -> read(key, "a whole number", () -> block.getInt(key)));
    }

    @Override
    public Optional<Long> bytes(String key) {
        return value(key).map(v -> read(key, "a size in bytes such as 512KiB or 16MiB", () -> block.getBytes(key)));
    }

    @Override
    public Optional<Boolean> bool(String key) {
        return value(key).map(v -> read(key, "true or false", () -> block.getBoolean(key)));
    }

    @Override
    public Optional<Duration> duration(String key) {
        return value(key).map(v -> {
            Duration d = read(key, "a duration such as 500ms, 5s or 2m", () -> block.getDuration(key));
            if (d.isNegative()) {
                throw invalid(key, "must not be negative, got " + Reader.shown(block, key));
            }
            return d;
        });
    }

    @Override
    public Optional<Double> number(String key) {
        return value(key).map(v -> read(key, "a number", () -> block.getDouble(key)));
    }

    @Override
    public List<Duration> durationList(String key) {
        return value(key).map(v -> {
            List<Duration> list;
            try {
                list = block.getDurationList(key);
            } catch (ConfigException e) {
                String bad = "";
                if (v.valueType() == ConfigValueType.LIST) {
                    for (ConfigValue item : block.getList(key)) {
                        try {
                            item.atKey("d").getDuration("d");
                        } catch (ConfigException notOne) {
                            bad = item.valueType() == ConfigValueType.STRING ? ", and '" + item.unwrapped() + "' is not one" : "";
                            break;
                        }
                    }
                }
                throw invalid(key, "must be a list of durations such as [5s, 5m, 1h], got " + Reader.shown(block, key) + bad);
            }
            if (list.stream().anyMatch(Duration::isNegative)) {
                throw invalid(key, "must not hold a negative duration");
            }
            return list;
        }).orElse(List.of());
    }

    @Override
    public List<String> stringList(String key) {
        return value(key).map(v -> read(key, "a list of text values", () -> block.getStringList(key))).orElse(List.of());
    }

    @Override
    public Map<String, String> stringMap(String key) {
        return value(key).map(v -> {
            if (v.valueType() != ConfigValueType.OBJECT) {
                throw invalid(key, "must be a block of name = value, got " + Reader.kind(v));
            }
            Map<String, String> map = new LinkedHashMap<>();
            block.getObject(key).forEach((name, item) -> {
                if (item.valueType() == ConfigValueType.OBJECT || item.valueType() == ConfigValueType.LIST) {
                    throw invalid(key + "." + name, "must be text, got " + Reader.kind(item));
                }
                map.put(name, String.valueOf(item.unwrapped()));
            });
            return Collections.unmodifiableMap(map);
        }).orElse(Map.of());
    }

    /** The user's key, when only one of the two was set outside the reference files. */
    @Override
    public InvalidSettingException conflict(String key, String problem, String other, String otherProblem) {
        return fromReference(key) && !fromReference(other) ? invalid(other, otherProblem) : invalid(key, problem);
    }

    private boolean fromReference(String key) {
        try {
            String resource = block.getValue(key).origin().resource();
            return resource != null && resource.endsWith("reference.conf");
        } catch (ConfigException e) {
            return false;
        }
    }

    @Override
    public InvalidSettingException invalid(String key, String problem) {
        // An element (secrets[1]) is placed where its list is.
        return new InvalidSettingException(path + "." + key, Reader.origin(block, key.replaceFirst("\\[[0-9]+]$", "")), problem);
    }

    @Override
    public String toString() {
        return "ConfigSettings[" + path + ": " + String.join(", ", block.root().keySet()) + "]";
    }

    private Optional<ConfigValue> value(String key) {
        try {
            return block.hasPath(key) ? Optional.of(block.getValue(key)) : Optional.empty();
        } catch (ConfigException e) {
            throw invalid(key, "is not a valid setting name");
        }
    }

    private <T> T read(String key, String expected, java.util.function.Supplier<T> getter) {
        try {
            return getter.get();
        } catch (ConfigException e) {
            throw invalid(key, "must be " + expected + ", got " + Reader.shown(block, key));
        }
    }
}
