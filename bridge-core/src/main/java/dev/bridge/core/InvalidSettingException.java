package dev.bridge.core;

import java.util.Objects;

/**
 * A setting is missing or has the wrong type or value. The message names the setting's full path
 * (e.g. {@code bridge.sinks[1].url}), where it came from when known, and what it must be; it never
 * quotes a secret.
 */
public final class InvalidSettingException extends BridgeException {

    private final String path;
    private final String origin;
    private final String problem;

    /**
     * @param path the setting's full path, e.g. {@code bridge.sinks[1].timeout}
     * @param problem what is wrong and what is expected, e.g. {@code must be a duration such as 500ms, 5s or 2m, got 'soon'}
     */
    public InvalidSettingException(String path, String problem) {
        this(path, "", problem);
    }

    /**
     * @param origin where the value was set, e.g. {@code bridge.conf:12}; empty if unknown
     */
    public InvalidSettingException(String path, String origin, String problem) {
        super(Objects.requireNonNull(path, "path") + (Objects.requireNonNull(origin, "origin").isEmpty() ? "" : " (" + origin + ")")
                + " " + Objects.requireNonNull(problem, "problem"));
        this.path = path;
        this.origin = origin;
        this.problem = problem;
    }

    /** The setting's full path. */
    public String path() {
        return path;
    }

    /** Where the value was set, or empty if unknown. */
    public String origin() {
        return origin;
    }

    /** What is wrong, without the path and origin. */
    public String problem() {
        return problem;
    }
}
