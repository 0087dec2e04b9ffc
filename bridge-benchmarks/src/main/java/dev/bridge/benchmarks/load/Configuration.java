package dev.bridge.benchmarks.load;

import dev.bridge.postgres.DeliveryMode;
import java.util.Locale;

/**
 * One cell of the matrix: a path, Bridge's delivery mode (null for the reference paths, which have
 * none), the number of writers and the size of each stored value in bytes.
 */
record Configuration(Kind path, DeliveryMode mode, int writers, int valueBytes) {

    /** The paths a change can take, in the order the table shows them. */
    enum Kind {
        /** Writers only, capture trigger dropped: the ceiling. */
        NO_TRIGGER("no-trigger"),
        /** Plain NOTIFY trigger and a pgjdbc relay to Redis. */
        NAIVE("naive"),
        /** Bridge's trigger, listener, engine and Redis sink. */
        BRIDGE("bridge");

        final String label;

        Kind(String label) {
            this.label = label;
        }

        static Kind parse(String text) {
            for (Kind k : values()) {
                if (k.label.equals(text.trim().toLowerCase(Locale.ROOT))) {
                    return k;
                }
            }
            throw new IllegalArgumentException("a path is no-trigger, naive or bridge, got '" + text + "'");
        }
    }

    Configuration {
        if ((path == Kind.BRIDGE) != (mode != null)) {
            throw new IllegalArgumentException("a delivery mode is for the bridge path only, got " + path + " with " + mode);
        }
    }

    String modeLabel() {
        return mode == null ? "-" : mode.value();
    }

    String describe() {
        return path.label + (mode == null ? "" : " " + mode.value()) + ", K=" + writers + ", S=" + Sizes.label(valueBytes);
    }
}
