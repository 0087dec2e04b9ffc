package dev.bridge.core.port;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** The outcome of delivering one change to one sink. */
public sealed interface Ack {

    /** The destination has the change. */
    static Ack delivered() {
        return Delivered.INSTANCE;
    }

    /** A transient failure: try again later under the retry schedule. */
    static Ack retry(String reason) {
        return new Retry(reason, Optional.empty());
    }

    /** A transient failure the destination asked to retry no earlier than {@code notBefore}. */
    static Ack retryAfter(Instant notBefore, String reason) {
        return new Retry(reason, Optional.of(notBefore));
    }

    /** A failure that retrying cannot fix: the change goes to the dead-letter store. */
    static Ack failed(String reason) {
        return new Failed(reason);
    }

    /** Delivered. */
    final class Delivered implements Ack {
        private static final Delivered INSTANCE = new Delivered();

        private Delivered() {
        }

        @Override
        public String toString() {
            return "Delivered";
        }
    }

    /** Retry later, no earlier than {@code notBefore} if present. */
    record Retry(String reason, Optional<Instant> notBefore) implements Ack {
        public Retry {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(notBefore, "notBefore");
        }
    }

    /** Failed for good. */
    record Failed(String reason) implements Ack {
        public Failed {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
