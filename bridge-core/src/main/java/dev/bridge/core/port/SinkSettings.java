package dev.bridge.core.port;

import dev.bridge.core.InvalidSettingException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Read-only, typed access to one sink's configuration block, for a {@link SinkProvider}.
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
public interface SinkSettings {

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

    /** A list of text values, in order; empty if the key is absent. */
    List<String> stringList(String key);

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
