package dev.bridge.core;

import java.util.List;
import java.util.Objects;

/**
 * A sink's configured type matches no sink provider on the class path. The message says where the
 * type is set and lists the known types; fix the type or add the jar that provides it.
 */
public final class UnknownSinkTypeException extends BridgeException {

    private final String type;

    /**
     * @param path where the type is set, e.g. {@code bridge.sinks[2].type}
     * @param known the known types, in the order to list them
     */
    public UnknownSinkTypeException(String type, String path, List<String> known) {
        super(message(type, path, known));
        this.type = type;
    }

    /** The type that was asked for. */
    public String type() {
        return type;
    }

    private static String message(String type, String path, List<String> known) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(path, "path");
        return "unknown sink type '" + type + "' at " + path + "; known types: "
                + (known.isEmpty() ? "none (no sink provider is on the class path)" : String.join(", ", known));
    }
}
