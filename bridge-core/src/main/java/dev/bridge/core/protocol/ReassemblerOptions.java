package dev.bridge.core.protocol;

import java.time.Duration;
import java.util.Objects;

/**
 * The bounds that keep a {@link Reassembler}'s memory finite whatever it is fed.
 *
 * @param maxMessageBytes the largest message accepted, in bytes
 * @param maxMessagesInFlight how many incomplete messages may be held at once
 * @param maxBufferedBytes how many bytes incomplete messages may hold in all (their declared sizes);
 *     at least {@code maxMessageBytes}
 * @param expireAfter how long an incomplete message is kept
 * @param legacyFrames whether the original design's frames are read too (docs/protocol.md §3);
 *     they are not signed
 * @param unsignedFrames whether a reassembler that has a key also reads unsigned version-1 frames
 *     (a reassembler without a key reads only those)
 */
public record ReassemblerOptions(
        int maxMessageBytes,
        int maxMessagesInFlight,
        long maxBufferedBytes,
        Duration expireAfter,
        boolean legacyFrames,
        boolean unsignedFrames) {

    private static final ReassemblerOptions DEFAULTS =
            new ReassemblerOptions(32 << 20, 1_000, 64L << 20, Duration.ofSeconds(60), false, false);

    public ReassemblerOptions {
        Objects.requireNonNull(expireAfter, "expireAfter");
        if (maxMessageBytes < 1 || maxMessageBytes > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("maxMessageBytes must be between 1 and "
                    + (Integer.MAX_VALUE - 16) + ", got " + maxMessageBytes);
        }
        if (maxMessagesInFlight < 1) {
            throw new IllegalArgumentException("maxMessagesInFlight must be at least 1, got " + maxMessagesInFlight);
        }
        if (maxBufferedBytes < maxMessageBytes) {
            throw new IllegalArgumentException("maxBufferedBytes (" + maxBufferedBytes
                    + ") must be at least maxMessageBytes (" + maxMessageBytes + ")");
        }
        if (expireAfter.isNegative() || expireAfter.isZero()) {
            throw new IllegalArgumentException("expireAfter must be positive, got " + expireAfter);
        }
    }

    /** 32 MiB per message, 1,000 messages and 64 MiB in flight, 60 s to complete, neither legacy nor unsigned frames. */
    public static ReassemblerOptions defaults() {
        return DEFAULTS;
    }

    public ReassemblerOptions withMaxMessageBytes(int value) {
        return new ReassemblerOptions(value, maxMessagesInFlight, Math.max(value, maxBufferedBytes), expireAfter, legacyFrames, unsignedFrames);
    }

    public ReassemblerOptions withMaxMessagesInFlight(int value) {
        return new ReassemblerOptions(maxMessageBytes, value, maxBufferedBytes, expireAfter, legacyFrames, unsignedFrames);
    }

    public ReassemblerOptions withMaxBufferedBytes(long value) {
        return new ReassemblerOptions(maxMessageBytes, maxMessagesInFlight, value, expireAfter, legacyFrames, unsignedFrames);
    }

    public ReassemblerOptions withExpireAfter(Duration value) {
        return new ReassemblerOptions(maxMessageBytes, maxMessagesInFlight, maxBufferedBytes, value, legacyFrames, unsignedFrames);
    }

    public ReassemblerOptions withLegacyFrames(boolean value) {
        return new ReassemblerOptions(maxMessageBytes, maxMessagesInFlight, maxBufferedBytes, expireAfter, value, unsignedFrames);
    }

    public ReassemblerOptions withUnsignedFrames(boolean value) {
        return new ReassemblerOptions(maxMessageBytes, maxMessagesInFlight, maxBufferedBytes, expireAfter, legacyFrames, value);
    }
}
