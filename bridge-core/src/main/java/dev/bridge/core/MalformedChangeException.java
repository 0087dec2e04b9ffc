package dev.bridge.core;

/** A message is not a valid change ({@code docs/protocol.md} §1). The message never names the content. */
public final class MalformedChangeException extends BridgeException {
    public MalformedChangeException(String message) {
        super(message);
    }

    public MalformedChangeException(String message, Throwable cause) {
        super(message, cause);
    }
}
