package dev.bridge.core;

/**
 * A checkpoint was not saved because the lease it was saved under is no longer held: another
 * process leads the partition now (docs/operations.md). The process that gets it stops delivering
 * the partition; nothing is lost, the new leader goes on from the last checkpoint saved.
 */
public final class LeaseLostException extends BridgeException {
    public LeaseLostException(String message) {
        super(message);
    }
}
