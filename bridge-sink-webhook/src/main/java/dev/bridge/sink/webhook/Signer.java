package dev.bridge.sink.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks symmetric signatures: {@code v1,} and base64 of HMAC-SHA256 over
 * {@code id.timestamp.body}, one per secret, space-separated. Thread-safe. Keys never appear in
 * messages or {@link #toString()}.
 */
final class Signer {

    static final String PREFIX = "whsec_";
    private static final String HMAC = "HmacSHA256";

    private final List<SecretKeySpec> keys;

    Signer(List<String> secrets) {
        this.keys = secrets.stream().map(s -> new SecretKeySpec(key(s, "secret"), HMAC)).collect(Collectors.toList());
    }

    boolean signs() {
        return !keys.isEmpty();
    }

    /** The {@code webhook-signature} header value. */
    String sign(String id, long timestamp, byte[] body) {
        byte[] prefix = (id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8);
        StringBuilder header = new StringBuilder();
        for (SecretKeySpec key : keys) {
            Mac mac = mac(key);
            mac.update(prefix);
            mac.update(body);
            if (header.length() > 0) {
                header.append(' ');
            }
            header.append("v1,").append(Base64.getEncoder().encodeToString(mac.doFinal()));
        }
        return header.toString();
    }

    /**
     * The key bytes of a {@code whsec_} secret.
     *
     * @param what the secret's name for the message, which never shows the secret itself
     * @throws IllegalArgumentException if the secret is malformed
     */
    static byte[] key(String secret, String what) {
        if (secret == null || !secret.startsWith(PREFIX)) {
            throw new IllegalArgumentException(what + " must start with " + PREFIX + " followed by base64 of the key");
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(secret.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " is not valid base64 after " + PREFIX);
        }
        if (key.length < 24 || key.length > 64) {
            throw new IllegalArgumentException(what + " must hold 24 to 64 key bytes (the specification's range), got " + key.length);
        }
        return key;
    }

    private static Mac mac(SecretKeySpec key) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM lacks " + HMAC + ", which every Java SE runtime has", e);
        }
    }

    @Override
    public String toString() {
        return "Signer[" + keys.size() + " key(s)]";
    }
}
