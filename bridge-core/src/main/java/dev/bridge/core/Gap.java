package dev.bridge.core;

import java.time.Instant;
import java.util.Objects;

/**
 * A period in which a change source could not see changes (a lost connection, a restart). In
 * at-most-once mode changes committed then are lost; in at-least-once mode they are caught up.
 *
 * @param from when the source lost sight of changes
 * @param to when it saw them again
 * @param cause what happened, for logs
 */
public record Gap(Instant from, Instant to, String cause) {
    public Gap {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(cause, "cause");
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("gap ends (" + to + ") before it starts (" + from + ")");
        }
    }
}
