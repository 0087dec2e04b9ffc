package dev.bridge.app;

import dev.bridge.core.BridgeException;

/** Something the daemon needs is unreachable or refused it; the message says what to check. */
public final class StartupException extends BridgeException {

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }

    public StartupException(String message) {
        super(message);
    }
}
