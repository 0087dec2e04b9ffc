package dev.bridge.core.protocol;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The secret that signs version-2 frames ({@code docs/protocol.md} §2.5): a frame's tag is the first
 * 16 bytes of HMAC-SHA256 under this key of the frame without its tag, in lower-case hexadecimal.
 * Thread-safe. {@link #toString()} never shows the key.
 */
public final class FrameKey {

    /** The tag's length in characters: 16 bytes in hexadecimal. */
    public static final int TAG_LENGTH = 32;
    private static final String ALGORITHM = "HmacSHA256";
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final SecretKeySpec key;
    private final ThreadLocal<Mac> macs;

    private FrameKey(byte[] key) {
        this.key = new SecretKeySpec(key, ALGORITHM);
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    /**
     * @param key the secret, at least 16 bytes (Bridge's schema makes 32); copied
     * @throws IllegalArgumentException if it is shorter
     */
    public static FrameKey of(byte[] key) {
        if (key == null || key.length < 16) {
            throw new IllegalArgumentException("a frame key must be at least 16 bytes, got " + (key == null ? "none" : key.length));
        }
        return new FrameKey(key.clone());
    }

    /** The tag of a frame whose header before the tag is {@code bytes[0, headerEnd)} and whose body is {@code bytes[bodyStart, length)}. */
    byte[] tag(byte[] bytes, int headerEnd, int bodyStart) {
        Mac mac = macs.get();
        mac.update(bytes, 0, headerEnd);
        mac.update(bytes, bodyStart, bytes.length - bodyStart);
        byte[] digest = mac.doFinal();
        byte[] hex = new byte[TAG_LENGTH];
        for (int i = 0; i < TAG_LENGTH / 2; i++) {
            hex[2 * i] = HEX[(digest[i] >> 4) & 0xF];
            hex[2 * i + 1] = HEX[digest[i] & 0xF];
        }
        return hex;
    }

    /** Whether the tag at {@code bytes[tagStart, tagStart + TAG_LENGTH)} is the frame's, in constant time. */
    boolean verifies(byte[] bytes, int tagStart, int bodyStart) {
        byte[] expected = tag(bytes, tagStart, bodyStart);
        return MessageDigest.isEqual(expected, Arrays.copyOfRange(bytes, tagStart, tagStart + TAG_LENGTH));
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required of every JVM", e);
        }
    }

    @Override
    public String toString() {
        return "FrameKey[" + key.getEncoded().length + " bytes]";
    }
}
