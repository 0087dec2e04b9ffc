package dev.bridge.core.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a message into frames as specified in {@code docs/protocol.md} §2.3: unsigned version-1
 * frames, or version-2 frames each signed with a {@link FrameKey} ({@link #signed}). Thread-safe
 * and stateless apart from its frame limit and key.
 */
public final class FrameEncoder {

    /** The largest frame PostgreSQL accepts as a {@code NOTIFY} payload, in bytes. */
    public static final int MAX_FRAME_BYTES = 7999;
    /** The smallest limit for version-1 frames: the longest header plus room for any character. */
    public static final int MIN_FRAME_BYTES = 64;
    /** The smallest limit for version-2 frames, whose headers carry a tag too. */
    public static final int MIN_SIGNED_FRAME_BYTES = 128;

    private final int maxFrameBytes;
    private final FrameKey key;
    private final String mark;

    /**
     * An encoder of unsigned version-1 frames.
     *
     * @param maxFrameBytes the most bytes in one frame, header included, between
     *     {@value #MIN_FRAME_BYTES} and {@value #MAX_FRAME_BYTES}
     */
    public FrameEncoder(int maxFrameBytes) {
        this(maxFrameBytes, null, MIN_FRAME_BYTES);
    }

    /** An encoder of unsigned version-1 frames with the largest frame PostgreSQL allows. */
    public FrameEncoder() {
        this(MAX_FRAME_BYTES);
    }

    private FrameEncoder(int maxFrameBytes, FrameKey key, int min) {
        if (maxFrameBytes < min || maxFrameBytes > MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("maxFrameBytes must be between " + min
                    + " and " + MAX_FRAME_BYTES + " (PostgreSQL's NOTIFY limit), got " + maxFrameBytes);
        }
        this.maxFrameBytes = maxFrameBytes;
        this.key = key;
        this.mark = key == null ? "B1" : "B2";
    }

    /**
     * An encoder of version-2 frames, each signed with {@code key}.
     *
     * @param maxFrameBytes between {@value #MIN_SIGNED_FRAME_BYTES} and {@value #MAX_FRAME_BYTES}
     */
    public static FrameEncoder signed(FrameKey key, int maxFrameBytes) {
        return new FrameEncoder(maxFrameBytes, java.util.Objects.requireNonNull(key, "key"), MIN_SIGNED_FRAME_BYTES);
    }

    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    /**
     * The frames of one message.
     *
     * @param messageId 1 to 32 ASCII letters and digits, unique among the messages in flight
     * @param message the text to carry; must not contain unpaired surrogates
     * @throws IllegalArgumentException if the id or the message is invalid
     */
    public List<String> encode(String messageId, String message) {
        FrameHeader.requireValidId(messageId);
        return split(messageId, utf8(message));
    }

    /**
     * The frames of one message given as UTF-8 bytes.
     *
     * @throws IllegalArgumentException if the id is invalid or the bytes are not valid UTF-8
     */
    public List<String> encode(String messageId, byte[] message) {
        FrameHeader.requireValidId(messageId);
        if (!isValidUtf8(message)) {
            throw new IllegalArgumentException("message is not valid UTF-8");
        }
        return split(messageId, message);
    }

    private List<String> split(String messageId, byte[] message) {
        int n = message.length;
        int tag = key == null ? 0 : FrameKey.TAG_LENGTH + 1;
        String single = mark + "=" + messageId + ":";
        if (single.length() + tag + n <= maxFrameBytes) {
            return List.of(frame(single, message, 0, n));
        }
        List<String> frames = new ArrayList<>(n / (maxFrameBytes - 47 - tag) + 2);
        String first = mark + "<" + messageId + ":" + n + ":";
        int pos = cut(message, 0, maxFrameBytes - first.length() - tag);
        frames.add(frame(first, message, 0, pos));
        for (int index = 1; pos < n; index++) {
            String middle = mark + "+" + messageId + ":" + index + ":";
            int room = maxFrameBytes - middle.length() - tag;
            if (n - pos <= room) {
                frames.add(frame(mark + ">" + messageId + ":" + index + ":", message, pos, n));
                pos = n;
            } else {
                int end = cut(message, pos, room);
                frames.add(frame(middle, message, pos, end));
                pos = end;
            }
        }
        return frames;
    }

    /** The largest end {@code <= pos + room} that does not fall inside a character. */
    private static int cut(byte[] message, int pos, int room) {
        int end = pos + room;
        while ((message[end] & 0xC0) == 0x80) {
            end--;
        }
        return end;
    }

    /** The frame of {@code header} and {@code message[from, to)}; signed, the tag and a colon follow the header. */
    private String frame(String header, byte[] message, int from, int to) {
        int h = header.length();
        int tag = key == null ? 0 : FrameKey.TAG_LENGTH + 1;
        byte[] bytes = new byte[h + tag + to - from];
        System.arraycopy(header.getBytes(StandardCharsets.US_ASCII), 0, bytes, 0, h);
        System.arraycopy(message, from, bytes, h + tag, to - from);
        if (key != null) {
            System.arraycopy(key.tag(bytes, h, h + tag), 0, bytes, h, FrameKey.TAG_LENGTH);
            bytes[h + FrameKey.TAG_LENGTH] = ':';
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String message) {
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < message.length()
                        && Character.isLowSurrogate(message.charAt(i + 1))) {
                    i++;
                } else {
                    throw new IllegalArgumentException(
                            "message contains an unpaired surrogate character at index " + i);
                }
            }
        }
        return message.getBytes(StandardCharsets.UTF_8);
    }

    private static boolean isValidUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
