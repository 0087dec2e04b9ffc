package dev.bridge.core.engine;

import dev.bridge.core.Change;
import dev.bridge.core.Op;
import dev.bridge.core.settings.Settings;
import dev.bridge.core.settings.SettingsProblems;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which changes a sink receives: those whose bucket matches an include pattern (any, if there are
 * none) and no exclude pattern, and whose operation is one of {@code ops}. A pattern is a bucket name
 * with wildcards: {@code *} any run of characters, {@code ?} one character. Immutable.
 */
public final class SinkFilter {

    private static final SinkFilter ALL = new SinkFilter(List.of(), List.of(), EnumSet.allOf(Op.class));

    private final List<String> include;
    private final List<String> exclude;
    private final Set<Op> ops;
    private final Pattern included;
    private final Pattern excluded;

    /**
     * @throws IllegalArgumentException for an empty pattern or no operations
     */
    public SinkFilter(List<String> include, List<String> exclude, Set<Op> ops) {
        this.include = List.copyOf(include);
        this.exclude = List.copyOf(exclude);
        Objects.requireNonNull(ops, "ops");
        if (ops.isEmpty()) {
            throw new IllegalArgumentException("a sink filter's ops must name at least one of INSERT, UPDATE, DELETE");
        }
        this.ops = Set.copyOf(ops);
        this.included = this.include.isEmpty() ? null : union(this.include);
        this.excluded = this.exclude.isEmpty() ? null : union(this.exclude);
    }

    /**
     * Reads a sink's {@code filter} block ({@code buckets}, {@code exclude-buckets}, {@code ops}, as
     * in bridge-core's reference.conf).
     *
     * @throws dev.bridge.core.InvalidSettingException naming every invalid setting
     */
    public static SinkFilter from(Settings s) {
        SettingsProblems problems = new SettingsProblems(s);
        List<String> include = problems.check(() -> patterns(s, "buckets"));
        List<String> exclude = problems.check(() -> patterns(s, "exclude-buckets"));
        Set<Op> ops = problems.check(() -> {
            Set<Op> named = EnumSet.noneOf(Op.class);
            for (String op : s.stringList("ops")) {
                try {
                    named.add(Op.valueOf(op.trim().toUpperCase(java.util.Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw s.invalid("ops", "may hold only INSERT, UPDATE and DELETE, got '" + op + "'");
                }
            }
            if (named.isEmpty()) {
                throw s.invalid("ops", "must name at least one of INSERT, UPDATE, DELETE");
            }
            return named;
        });
        problems.throwIfAny();
        return new SinkFilter(include, exclude, ops);
    }

    private static List<String> patterns(Settings s, String key) {
        List<String> patterns = s.stringList(key);
        if (patterns.stream().anyMatch(String::isEmpty)) {
            throw s.invalid(key, "must not hold an empty pattern");
        }
        return patterns;
    }

    /** Every change. */
    public static SinkFilter all() {
        return ALL;
    }

    /** The changes of every operation whose bucket matches one of {@code patterns}. */
    public static SinkFilter buckets(String... patterns) {
        return new SinkFilter(List.of(patterns), List.of(), EnumSet.allOf(Op.class));
    }

    public List<String> include() {
        return include;
    }

    public List<String> exclude() {
        return exclude;
    }

    public Set<Op> ops() {
        return ops;
    }

    public boolean matches(Change change) {
        return ops.contains(change.op())
                && (included == null || included.matcher(change.bucket()).matches())
                && (excluded == null || !excluded.matcher(change.bucket()).matches());
    }

    private static Pattern union(List<String> patterns) {
        StringBuilder regex = new StringBuilder();
        for (String pattern : patterns) {
            if (pattern == null || pattern.isEmpty()) {
                throw new IllegalArgumentException("a bucket pattern must not be empty");
            }
            if (regex.length() > 0) {
                regex.append('|');
            }
            regex.append("(?:");
            for (char c : pattern.toCharArray()) {
                switch (c) {
                    case '*' -> regex.append(".*");
                    case '?' -> regex.append('.');
                    default -> regex.append(Pattern.quote(String.valueOf(c)));
                }
            }
            regex.append(')');
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    @Override
    public String toString() {
        return "SinkFilter[include=" + include + ", exclude=" + exclude + ", ops=" + ops + "]";
    }
}
