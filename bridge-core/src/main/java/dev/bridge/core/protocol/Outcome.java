package dev.bridge.core.protocol;

import java.util.Objects;

/** What became of one frame given to the {@link Reassembler}. */
public sealed interface Outcome {

    /** The frame completed a message. */
    record Complete(String messageId, Payload payload) implements Outcome {
        public Complete {
            Objects.requireNonNull(messageId, "messageId");
            Objects.requireNonNull(payload, "payload");
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
