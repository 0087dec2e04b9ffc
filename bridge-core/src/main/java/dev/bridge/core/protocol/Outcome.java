package dev.bridge.core.protocol;

import java.util.Objects;

/** What became of one frame given to the {@link Reassembler}. */
public sealed interface Outcome {

    /** {@link Complete#version()} of a message in the original design's format. */
    int LEGACY = 0;

    /**
     * The frame completed a message.
     *
     * @param version the frames' protocol version: 2 (signed, each frame verified), 1 (unsigned) or
     *     {@link #LEGACY}
     */
    record Complete(String messageId, Payload payload, int version) implements Outcome {
        public Complete {
            Objects.requireNonNull(messageId, "messageId");
            Objects.requireNonNull(payload, "payload");
            if (version < LEGACY || version > 2) {
                throw new IllegalArgumentException("version must be 0 (legacy), 1 or 2, got " + version);
            }
        }
    }

    /** The frame was accepted; its message awaits more frames. */
    record Pending(String messageId) implements Outcome {
        public Pending {
            Objects.requireNonNull(messageId, "messageId");
        }
    }

    /**
     * The frame, or a message in flight, was rejected.
     *
     * @param messageId the message concerned, or null when the frame was unreadable
     * @param detail a short explanation for logs; never contains message content
     */
    record Rejected(RejectReason reason, String messageId, String detail) implements Outcome {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
