package dev.bridge.core;

/**
 * The root of Bridge's typed errors. Messages say what went wrong and what to do about it, and never
 * contain a secret.
 */
public class BridgeException extends RuntimeException {
    public BridgeException(String message) {
        super(message);
    }

    public BridgeException(String message, Throwable cause) {
        super(message, cause);
    }
}
