package dev.bridge.core;

/**
 * An append or delete expected an object at one version and found another; nothing was written.
 * Reload the object and retry with its current version.
 */
public final class VersionConflictException extends BridgeException {

    private final Key key;
    private final long expectedVersion;
    private final long actualVersion;

    /**
     * @param actualVersion the version found; 0 if the object does not exist
     */
    public VersionConflictException(Key key, long expectedVersion, long actualVersion) {
        super("version conflict on " + key.bucket() + "/" + key.id() + ": expected version " + expectedVersion
                + " but it is " + actualVersion + "; reload the object and retry");
        this.key = key;
        this.expectedVersion = expectedVersion;
        this.actualVersion = actualVersion;
    }

    public Key key() {
        return key;
    }

    public long expectedVersion() {
        return expectedVersion;
    }

    public long actualVersion() {
        return actualVersion;
    }
}
