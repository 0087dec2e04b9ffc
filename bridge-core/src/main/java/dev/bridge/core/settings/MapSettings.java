package dev.bridge.core.settings;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link Settings} over a map, for library users and tests: e.g.
 * {@code new MapSettings("sinks.audit", Map.of("stream", "stderr"))}.
 *
 * <p>Values are taken as given, with these conversions: text from text, numbers and booleans;
 * whole numbers from numbers and numeric text; booleans from {@code true}/{@code false} in any case;
 * durations from {@link Duration}s, whole numbers of milliseconds, text such as {@code 250ms},
 * {@code 5s}, {@code 2m}, {@code 1h}, {@code 1d} (a bare number is milliseconds) and ISO-8601 such as
 * {@code PT5S}. Lists are {@link Collection}s; blocks are nested {@link Map}s, which a dotted key
 * ({@code tls.enabled}) also reaches. A null value counts as absent.
 *
 * <p>Immutable: the map and its nested maps and lists are copied.
 */
public final class MapSettings implements Settings {

    private static final Pattern SIZE = Pattern.compile("([0-9]{1,19})\\s*(B|KiB|MiB|GiB|Ki|Mi|Gi|K|M|G|k|m|g|kB|MB|GB)?");
    private static final Pattern DURATION = Pattern.compile("(-?\\d+)\\s*(ms|s|m|h|d)");
    private static final String DURATION_EXPECTED = "must be a duration such as 500ms, 5s or 2m";
    private static final int SHOWN_CHARS = 100;

    private final String path;
    private final Map<String, Object> values;

    /**
     * @param path where the block is, for messages, e.g. {@code bridge.sinks[1]}
     * @param values the block's settings by key
     */
    @SuppressWarnings("unchecked")
    public MapSettings(String path, Map<String, ?> values) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(values, "values");
        if (path.isBlank()) {
            throw new IllegalArgumentException("path must not be blank, got '" + path + "'");
        }
        if (values.keySet().stream().anyMatch(Objects::isNull)) {
            throw new IllegalArgumentException("values must not have a null key (block " + path + ")");
        }
        this.path = path;
        this.values = (Map<String, Object>) frozen(values);
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public Optional<String> string(String key) {
        return value(key).map(v -> text(key, v));
    }

    @Override
    public Optional<Integer> integer(String key) {
        return value(key).map(v -> {
            Long whole = wholeNumber(v);
            if (whole == null) {
                throw invalid(key, "must be a whole number, got " + shown(key, v));
            }
            if (whole < Integer.MIN_VALUE || whole > Integer.MAX_VALUE) {
                throw invalid(key, "must be a whole number between " + Integer.MIN_VALUE + " and " + Integer.MAX_VALUE
                        + ", got " + shown(key, v));
            }
            return whole.intValue();
        });
    }

    @Override
    public Optional<Long> bytes(String key) {
        return value(key).map(v -> {
            Long size = wholeNumber(v);
            if (size == null && v instanceof CharSequence text) {
                Matcher m = SIZE.matcher(text.toString().strip());
                if (m.matches()) {
                    // As HOCON reads sizes, so that a value means the same in a map and in a config file.
                    long unit = switch (m.group(2) == null ? "" : m.group(2)) {
                        case "KiB", "K", "k", "Ki" -> 1L << 10;
                        case "MiB", "M", "m", "Mi" -> 1L << 20;
                        case "GiB", "G", "g", "Gi" -> 1L << 30;
                        case "kB" -> 1_000L;
                        case "MB" -> 1_000_000L;
                        case "GB" -> 1_000_000_000L;
                        default -> 1L;
                    };
                    try {
                        long number = Long.parseLong(m.group(1));
                        size = number > Long.MAX_VALUE / unit ? null : number * unit;
                    } catch (NumberFormatException e) {
                        size = null;
                    }
                }
            }
            if (size == null || size < 0) {
                throw invalid(key, "must be a size in bytes such as 512KiB, 16MiB or 1048576, got " + shown(key, v));
            }
            return size;
        });
    }

    @Override
    public Optional<Boolean> bool(String key) {
        return value(key).map(v -> {
            if (v instanceof Boolean b) {
                return b;
            }
            if (v instanceof CharSequence s) {
                String text = s.toString().trim();
                if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
                    return Boolean.valueOf(text);
                }
            }
            throw invalid(key, "must be true or false, got " + shown(key, v));
        });
    }

    @Override
    public Optional<Duration> duration(String key) {
        return value(key).map(v -> {
            Duration duration = toDuration(v);
            if (duration == null) {
                throw invalid(key, DURATION_EXPECTED + ", got " + shown(key, v));
            }
            if (duration.isNegative()) {
                throw invalid(key, "must not be negative, got " + shown(key, v));
            }
            return duration;
        });
    }

    @Override
    public Optional<Double> number(String key) {
        return value(key).map(v -> {
            if (v instanceof Number n) {
                return n.doubleValue();
            }
            if (v instanceof CharSequence text) {
                try {
                    return Double.parseDouble(text.toString().trim());
                } catch (NumberFormatException e) {
                    // reported below
                }
            }
            throw invalid(key, "must be a number, got " + shown(key, v));
        });
    }

    @Override
    public List<Duration> durationList(String key) {
        return value(key).map(v -> {
            if (!(v instanceof Collection<?> items)) {
                throw invalid(key, "must be a list of durations such as [5s, 5m, 1h], got " + shown(key, v));
            }
            List<Duration> list = new ArrayList<>(items.size());
            for (Object item : items) {
                Duration d = toDuration(item);
                if (d == null || d.isNegative()) {
                    throw invalid(key, "must be a list of durations such as [5s, 5m, 1h], got " + shown(key, item));
                }
                list.add(d);
            }
            return List.copyOf(list);
        }).orElse(List.of());
    }

    @Override
    public List<String> stringList(String key) {
        return value(key).map(v -> {
            if (!(v instanceof Collection<?> items)) {
                throw invalid(key, "must be a list of text values, got " + shown(key, v));
            }
            List<String> list = new ArrayList<>(items.size());
            int i = 0;
            for (Object item : items) {
                list.add(text(key + "[" + i++ + "]", item));
            }
            return List.copyOf(list);
        }).orElse(List.of());
    }

    @Override
    public Map<String, String> stringMap(String key) {
        return value(key).map(v -> {
            if (!(v instanceof Map<?, ?> entries)) {
                throw invalid(key, "must be a block of text values, got " + shown(key, v));
            }
            Map<String, String> map = new LinkedHashMap<>();
            entries.forEach((k, item) -> map.put(String.valueOf(k), text(key + "." + k, item)));
            return Collections.unmodifiableMap(map);
        }).orElse(Map.of());
    }

    /** The path and keys only: values may be secret. */
    @Override
    public String toString() {
        return "MapSettings[" + path + ": " + String.join(", ", values.keySet()) + "]";
    }

    private Optional<Object> value(String key) {
        Objects.requireNonNull(key, "key");
        return Optional.ofNullable(lookup(values, key));
    }

    private static Object lookup(Map<?, ?> block, String key) {
        if (block.containsKey(key)) {
            return block.get(key);
        }
        int dot = key.indexOf('.');
        if (dot > 0 && block.get(key.substring(0, dot)) instanceof Map<?, ?> inner) {
            return lookup(inner, key.substring(dot + 1));
        }
        return null;
    }

    private String text(String key, Object value) {
        if (value instanceof CharSequence || value instanceof Number || value instanceof Boolean) {
            return value.toString();
        }
        throw invalid(key, "must be text, got " + shown(key, value));
    }

    private static Long wholeNumber(Object value) {
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        try {
            if (value instanceof BigInteger big) {
                return big.longValueExact();
            }
            if (value instanceof Double || value instanceof Float || value instanceof BigDecimal) {
                return new BigDecimal(value.toString()).longValueExact();
            }
            if (value instanceof CharSequence text) {
                return Long.parseLong(text.toString().trim());
            }
        } catch (ArithmeticException | NumberFormatException e) {
            return null;
        }
        return null;
    }

    private static Duration toDuration(Object value) {
        if (value instanceof Duration duration) {
            return duration;
        }
        if (value instanceof Number) {
            Long millis = wholeNumber(value);
            return millis == null ? null : Duration.ofMillis(millis);
        }
        if (!(value instanceof CharSequence)) {
            return null;
        }
        String text = value.toString().trim();
        try {
            if (text.startsWith("P") || text.startsWith("-P")) {
                return Duration.parse(text);
            }
            if (text.matches("-?\\d+")) {
                return Duration.ofMillis(Long.parseLong(text));
            }
            Matcher m = DURATION.matcher(text);
            if (!m.matches()) {
                return null;
            }
            long amount = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
            return null;
        }
    }

    private static String shown(String key, Object value) {
        if (value instanceof Map) {
            return "a block";
        }
        if (value instanceof Collection) {
            return "a list";
        }
        if (value == null) {
            return "nothing";
        }
        if (Settings.looksSecret(key)) {
            return "<hidden>";
        }
        if (value instanceof Number || value instanceof Boolean || value instanceof Duration) {
            return value.toString();
        }
        if (value instanceof CharSequence) {
            String text = dev.bridge.core.Secrets.maskUri(value.toString());
            return "'" + (text.length() <= SHOWN_CHARS ? text : text.substring(0, SHOWN_CHARS) + "…") + "'";
        }
        return "a " + value.getClass().getSimpleName();
    }

    private static Object frozen(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(k, frozen(v)));
            return Collections.unmodifiableMap(copy);
        }
        if (value instanceof Collection<?> items) {
            List<Object> copy = new ArrayList<>(items.size());
            items.forEach(item -> copy.add(frozen(item)));
            return Collections.unmodifiableList(copy);
        }
        return value;
    }
}
