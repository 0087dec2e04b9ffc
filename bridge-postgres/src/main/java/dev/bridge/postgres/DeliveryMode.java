package dev.bridge.postgres;

/** How changes travel from the writer's transaction to the listener. */
public enum DeliveryMode {
    /**
     * Each change is also written to the change log in the writer's transaction; the listener reads
     * the log from its consumer's checkpoint and uses notifications only as a prompt. Nothing
     * committed is lost; after a crash, changes after the checkpoint may repeat.
     */
    AT_LEAST_ONCE("at-least-once"),
    /** Notifications only, as in the original design: whatever is committed while the listener is away is lost. */
    AT_MOST_ONCE("at-most-once");

    private final String value;

    DeliveryMode(String value) {
        this.value = value;
    }

    /** The name in configuration and in the triggers' arguments. */
    public String value() {
        return value;
    }

    /**
     * @throws IllegalArgumentException naming the accepted values
     */
    public static DeliveryMode parse(String value) {
        for (DeliveryMode mode : values()) {
            if (mode.value.equals(value)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("delivery mode must be at-least-once or at-most-once, got '" + value + "'");
    }
}
