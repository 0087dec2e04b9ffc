package dev.bridge.core.protocol;

/** Why a frame, or the message it belongs to, was not delivered. See {@code docs/protocol.md} §2.4. */
public enum RejectReason {
    /** Not a Bridge frame: another sender on the channel, or legacy frames with legacy mode off. */
    FOREIGN,
    /** Starts like a version-1 or version-2 frame but its header does not follow the grammar. */
    MALFORMED,
    /** A frame of a protocol version this reassembler does not know. */
    UNSUPPORTED_VERSION,
    /** A signed (version 2) frame whose tag does not verify, or that arrived with no key to verify it. */
    FORGED,
    /** An unsigned (version 1) frame where only signed frames are read. */
    UNSIGNED,
    /** A genuine signed frame that repeats one already received or comes out of place: ignored, its message kept. */
    REPLAYED,
    /** A continuation frame whose message never started here: its first frame was missed. */
    ORPHAN,
    /** A continuation frame of a message that was already dropped for another reason. */
    DISCARDED,
    /** A frame whose index was already received; the message is dropped. */
    DUPLICATE,
    /** A frame ahead of the next expected index (one is missing or late); the message is dropped. */
    OUT_OF_ORDER,
    /** The bytes received differ from the declared size (truncated or padded); the message is dropped. */
    SIZE_MISMATCH,
    /** The message is larger than the configured maximum; it is dropped. */
    TOO_LARGE,
    /** A new message with the same id started before this one ended; the older one is dropped. */
    INTERRUPTED,
    /** Dropped to make room: too many messages or bytes were in flight. */
    EVICTED,
    /** Dropped because it stayed incomplete longer than the configured time. */
    EXPIRED
}
