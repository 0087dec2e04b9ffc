package dev.bridge.core.settings;

import dev.bridge.core.InvalidSettingException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Read-only, typed access to one configuration block: a sink's, for its
 * {@link dev.bridge.core.port.SinkProvider}, or a module's own (e.g. {@code bridge.postgres}), for
 * the options record that reads it. Checked reads go through a {@link SettingsProblems}, so that
 * every problem of a block is reported at once.
 *
 * <p>Keys are relative to the block ({@code url}, not {@code bridge.sinks[1].url}); an
 * implementation may accept dotted keys for nested blocks. A getter returns empty (or an empty
 * collection) when the key is absent and throws {@link InvalidSettingException} when the value has
 * the wrong type. The exception's message names the full path ({@code bridge.sinks[1].url}), what
 * was expected and, if the implementation knows it, where the value was set; it shows the value
 * only if the key does not look secret (see {@link #looksSecret}).
 *
 * <p>Threading: implementations are immutable and thread-safe.
 */
public interface Settings {

    /** Where the block is, for messages: e.g. {@code bridge.sinks[1]}. */
    String path();

    /** A text value. */
    Optional<String> string(String key);

    /** A whole number within {@code int}'s range. */
    Optional<Integer> integer(String key);

    /** {@code true} or {@code false}. */
    Optional<Boolean> bool(String key);

    /** A non-negative duration, written e.g. {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 1d}. */
    Optional<Duration> duration(String key);

    /** A non-negative size in bytes: a whole number, or written e.g. {@code 512KiB}, {@code 16MiB}, {@code 1GiB}. */
    Optional<Long> bytes(String key);

    /** A number, whole or not. */
    Optional<Double> number(String key);

    /** A list of text values, in order; empty if the key is absent. */
    List<String> stringList(String key);

    /** A list of non-negative durations, in order; empty if the key is absent. */
    List<Duration> durationList(String key);

    /** A block of text values by name, in the order written; empty if the key is absent. */
    Map<String, String> stringMap(String key);

    /**
     * A text value that must be set and not blank.
     *
     * @throws InvalidSettingException if it is absent, blank or not text
     */
    default String requireString(String key) {
        String value = string(key).orElseThrow(() -> invalid(key, "is required; set it in the sink's block"));
        if (value.isBlank()) {
            throw invalid(key, "must not be blank");
        }
        return value;
    }

    /** A whole number from {@code min} to {@code max} that must be set. */
    default int integer(String key, int min, int max) {
        int value = integer(key).orElseThrow(() -> invalid(key, "is required"));
        if (value < min || value > max) {
            throw invalid(key, "must be " + range(min, max) + ", got " + value);
        }
        return value;
    }

    /** A size in bytes from {@code min} to {@code max} that must be set. */
    default long bytes(String key, long min, long max) {
        long value = bytes(key).orElseThrow(() -> invalid(key, "is required"));
        if (value < min || value > max) {
            throw invalid(key, "must be a size " + range(min, max) + " bytes, got " + value);
        }
        return value;
    }

    /** A number above {@code above} and at most {@code max} that must be set. */
    default double number(String key, double above, double max) {
        double value = number(key).orElseThrow(() -> invalid(key, "is required"));
        if (!(value > above && value <= max)) {
            throw invalid(key, "must be a number above " + above + " and at most " + max + ", got " + value);
        }
        return value;
    }

    /** A duration that must be set; {@code positive} also refuses zero. */
    default Duration duration(String key, boolean positive) {
        Duration value = duration(key).orElseThrow(() -> invalid(key, "is required"));
        if (positive && value.isZero()) {
            throw invalid(key, "must be positive, got 0");
        }
        return value;
    }

    /** A boolean that must be set. */
    default boolean requireBool(String key) {
        return bool(key).orElseThrow(() -> invalid(key, "is required"));
    }

    /** One of {@code choices}' keys, ignoring case, that must be set. */
    default <E> E choice(String key, Map<String, E> choices) {
        String text = string(key).orElseThrow(() -> invalid(key, "is required"));
        E chosen = choices.get(text.toLowerCase(Locale.ROOT));
        if (chosen == null) {
            throw invalid(key, "must be one of " + String.join(", ", new java.util.TreeSet<>(choices.keySet())) + ", got "
                    + (looksSecret(key) ? "<hidden>" : "'" + dev.bridge.core.Secrets.maskUri(text) + "'"));
        }
        return chosen;
    }

    /** A duration as a configuration file writes it: {@code 500ms}, {@code 10s}, {@code 5m}, {@code 2h}, {@code 7d}. */
    static String shown(Duration d) {
        long ms = d.toMillis();
        long[] units = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
        String[] names = {"d", "h", "m", "s"};
        for (int i = 0; i < units.length; i++) {
            if (ms != 0 && ms % units[i] == 0) {
                return ms / units[i] + names[i];
            }
        }
        return ms + "ms";
    }

    private static String range(long min, long max) {
        return max == Integer.MAX_VALUE || max == Long.MAX_VALUE ? "at least " + min : "from " + min + " to " + max;
    }

    /**
     * An error about two settings that do not fit together, told as a problem of the one the user
     * set: {@code key}'s unless only {@code other} was set by the user (an implementation that knows
     * where values came from decides; by default it is {@code key}'s).
     */
    default InvalidSettingException conflict(String key, String problem, String other, String otherProblem) {
        return invalid(key, problem);
    }

    /** A size as a configuration file writes it: {@code 512KiB}, {@code 32MiB}, or bytes. */
    static String shownBytes(long bytes) {
        if (bytes != 0 && bytes % (1L << 30) == 0) {
            return bytes / (1L << 30) + "GiB";
        }
        if (bytes != 0 && bytes % (1L << 20) == 0) {
            return bytes / (1L << 20) + "MiB";
        }
        if (bytes != 0 && bytes % (1L << 10) == 0) {
            return bytes / (1L << 10) + "KiB";
        }
        return bytes + " bytes";
    }

    /**
     * An error about one of this block's settings, for a provider's own checks (a value out of
     * range, an unknown mode). Implementations that know where values came from add it.
     *
     * @param problem what is wrong and what is expected, e.g. {@code must be stdout or stderr, got 'stdin'};
     *     quote a value only if {@link #looksSecret} is false for its key
     */
    default InvalidSettingException invalid(String key, String problem) {
        return new InvalidSettingException(path() + "." + key, problem);
    }

    /**
     * Whether a key's values must never be shown: it contains {@code password}, {@code secret},
     * {@code token}, {@code key}, {@code auth}, {@code credential}, {@code cookie} or {@code header}
     * (every header value), ignoring case. Over-hiding is harmless; a leaked secret is not. Values
     * that are shown go through {@link dev.bridge.core.Secrets#maskUri}, so a URI's user info and
     * query never appear either.
     */
    static boolean looksSecret(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        return Stream.of("password", "secret", "token", "key", "auth", "credential", "cookie", "header").anyMatch(lower::contains);
    }
}
