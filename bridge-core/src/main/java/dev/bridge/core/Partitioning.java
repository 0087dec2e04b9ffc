package dev.bridge.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Which partition a key belongs to when a consumer's changes are split into several: the first four
 * bytes of the SHA-256 of {@code "bucket","id"} — bucket and id as JSON strings, written as
 * PostgreSQL's {@code to_json} writes them, joined by a comma, in UTF-8 — as an unsigned big-endian
 * number, modulo the number of partitions. Every change of a key falls in the same partition, so
 * one leader delivers all of them, in order. A source may compute the same where it reads (SQL over
 * the change log's JSON does), so that each partition reads only its own changes.
 */
public final class Partitioning {

    private Partitioning() {
    }

    /**
     * @throws IllegalArgumentException if {@code partitions} is below 1
     */
    public static int partition(Key key, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
        }
        if (partitions == 1) {
            return 0;
        }
        byte[] h = sha256((jsonString(key.bucket()) + "," + jsonString(key.id())).getBytes(StandardCharsets.UTF_8));
        long first = (h[0] & 0xffL) << 24 | (h[1] & 0xff) << 16 | (h[2] & 0xff) << 8 | h[3] & 0xff;
        return (int) (first % partitions);
    }

    /** {@code s} as a JSON string the way PostgreSQL's {@code to_json(text)} writes it: only {@code "}, {@code \} and control characters escaped. */
    static String jsonString(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < ' ') {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
