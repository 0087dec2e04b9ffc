package dev.bridge.postgres;

import dev.bridge.core.UsageException;

/** A schema, channel or table name from configuration is not a plain SQL identifier; nothing was run. */
public final class InvalidIdentifierException extends UsageException {
    InvalidIdentifierException(String message) {
        super(message);
    }
}
