package dev.bridge.app.config;

import dev.bridge.core.BridgeException;
import java.util.List;

/** The configuration has problems; all of them are listed, each with its path and origin. */
public final class InvalidConfigException extends BridgeException {

    private final List<Problem> problems;

    public InvalidConfigException(List<Problem> problems) {
        super(message(problems));
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }

    private static String message(List<Problem> problems) {
        StringBuilder text = new StringBuilder("the configuration has ")
                .append(problems.size() == 1 ? "1 problem" : problems.size() + " problems").append(':');
        problems.forEach(p -> text.append("\n  - ").append(p));
        return text.toString();
    }
}
