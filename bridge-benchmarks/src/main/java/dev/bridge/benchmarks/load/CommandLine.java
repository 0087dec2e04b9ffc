package dev.bridge.benchmarks.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tool's command line: options with a value ({@code --name value} or {@code --name=value}) and
 * switches ({@code --name}), each from a fixed set; and the parsing of their values, whose errors
 * name the option.
 */
final class CommandLine {

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|min)?");

    private final Map<String, String> values;
    private final Set<String> switchesGiven;

    private CommandLine(Map<String, String> values, Set<String> switchesGiven) {
        this.values = values;
        this.switchesGiven = switchesGiven;
    }

    /**
     * @param withValue the options that take a value
     * @param switches the options that take none
     * @throws IllegalArgumentException for an unknown option or a missing value
     */
    static CommandLine parse(String[] args, Set<String> withValue, Set<String> switches) {
        Map<String, String> given = new HashMap<>();
        Set<String> on = new HashSet<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                value = arg.substring(eq + 1);
                arg = arg.substring(0, eq);
            }
            if (switches.contains(arg) && value == null) {
                on.add(arg);
            } else if (withValue.contains(arg)) {
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(arg + " needs a value; see --help");
                    }
                    value = args[++i];
                }
                given.put(arg, value);
            } else {
                throw new IllegalArgumentException("unknown option '" + args[i] + "'; see --help");
            }
        }
        return new CommandLine(given, on);
    }

    boolean has(String option) {
        return switchesGiven.contains(option) || values.containsKey(option);
    }

    Optional<String> get(String option) {
        return Optional.ofNullable(values.get(option));
    }

    String get(String option, String fallback) {
        return values.getOrDefault(option, fallback);
    }

    /** The option's value, or {@code fallback} if it is not given, read by {@code parse}. */
    <T> T get(String option, String fallback, Function<String, T> parse) {
        return value(get(option, fallback), option, parse);
    }

    /** @throws IllegalArgumentException naming {@code option} if {@code parse} refuses {@code text} */
    static <T> T value(String text, String option, Function<String, T> parse) {
        try {
            return parse.apply(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": must be a whole number, got '" + text + "'", e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
        }
    }

    /** A comma-separated list without repeats. */
    static <T> List<T> list(String text, String option, Function<String, T> parse) {
        List<T> items = new ArrayList<>();
        for (String part : text.split(",")) {
            if (!part.isBlank()) {
                T item = value(part, option, parse);
                if (!items.contains(item)) {
                    items.add(item);
                }
            }
        }
        if (items.isEmpty()) {
            throw new IllegalArgumentException(option + " needs at least one value");
        }
        return List.copyOf(items);
    }

    /** The option's duration, or {@code fallback}'s; it must be longer than 0. */
    Duration longerThanZero(String option, String fallback) {
        Duration d = get(option, fallback, CommandLine::duration);
        if (d.isZero()) {
            throw new IllegalArgumentException(option + ": must be longer than 0");
        }
        return d;
    }

    /** A rate in changes per second, above 0 and at most 10,000. */
    static double rate(String text) {
        double r;
        try {
            r = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be a number of changes/s, got '" + text + "'");
        }
        if (!(r > 0 && r <= 10_000)) {
            throw new IllegalArgumentException("must be above 0 and at most 10000 changes/s, got " + text);
        }
        return r;
    }

    static int positive(String text) {
        int n = Integer.parseInt(text);
        if (n < 1) {
            throw new IllegalArgumentException("must be at least 1, got " + n);
        }
        return n;
    }

    static int notNegative(String text) {
        int n = Integer.parseInt(text);
        if (n < 0) {
            throw new IllegalArgumentException("must not be negative, got " + n);
        }
        return n;
    }

    /** {@code 500ms}, {@code 15s}, {@code 2m} (or {@code 2min}), or a number of seconds. */
    static Duration duration(String text) {
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (m.matches()) {
            try {
                long n = Long.parseLong(m.group(1));
                String unit = m.group(2) == null ? "s" : m.group(2);
                return switch (unit) {
                    case "ms" -> Duration.ofMillis(n);
                    case "m", "min" -> Duration.ofMinutes(n);
                    default -> Duration.ofSeconds(n);
                };
            } catch (NumberFormatException | ArithmeticException e) {
                // reported below
            }
        }
        throw new IllegalArgumentException("a duration is a whole number with ms, s or m (seconds if none), got '" + text + "'");
    }
}
