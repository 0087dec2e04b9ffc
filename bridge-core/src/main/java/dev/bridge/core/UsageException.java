package dev.bridge.core;

/**
 * The request cannot be carried out as asked — a name that is not one, a table Bridge must not
 * capture — and nothing was done. The message says what to ask instead. The CLI exits with code 2.
 */
public class UsageException extends BridgeException {
    public UsageException(String message) {
        super(message);
    }
}
