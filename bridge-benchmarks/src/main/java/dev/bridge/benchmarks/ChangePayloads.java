package dev.bridge.benchmarks;

import java.nio.charset.StandardCharsets;

/**
 * Builds the change messages the benchmarks carry: realistic JSON changes ({@code docs/protocol.md}
 * §1) of an exact size in bytes, ASCII only, deterministic so that every run measures the same input.
 */
final class ChangePayloads {

    private static final String HEAD_FORMAT = "{\"op\":\"UPDATE\",\"bucket\":\"orders\",\"id\":\"%d\","
            + "\"version\":7,\"ts\":\"2026-11-24T10:15:30.123456Z\",\"seq\":%d,\"val\":{\"status\":\"paid\",\"items\":[";
    private static final String NOTE = "],\"note\":\"";
    private static final String TAIL = "\"},\"old\":{\"status\":\"new\"}}";
    private static final String WORDS =
            "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore";

    private ChangePayloads() {
    }

    /** The smallest message {@link #json} can make. */
    static int minimumBytes() {
        return head(1).length() + NOTE.length() + TAIL.length();
    }

    /**
     * An UPDATE of an order: a list of line items as large as fits, then a free-text note that pads
     * the message to exactly {@code bytes} bytes.
     *
     * @throws IllegalArgumentException if {@code bytes} is below {@link #minimumBytes()}
     */
    static String json(int bytes) {
        String head = head(1);
        int fixed = head.length() + NOTE.length() + TAIL.length();
        if (bytes < fixed) {
            throw new IllegalArgumentException("a change needs at least " + fixed + " bytes, asked for " + bytes);
        }
        StringBuilder sb = new StringBuilder(bytes).append(head);
        // Line items until only a short note (16..~60 bytes) would be left.
        for (int i = 1; ; i++) {
            String item = (i > 1 ? "," : "") + "{\"sku\":\"SKU-" + (10_000 + i * 37 % 90_000)
                    + "\",\"qty\":" + (1 + i % 9) + ",\"price\":\"" + (3 + i % 97) + "." + (10 + i % 90) + "\"}";
            if (sb.length() + item.length() + NOTE.length() + 16 + TAIL.length() > bytes) {
                break;
            }
            sb.append(item);
        }
        sb.append(NOTE);
        int pad = bytes - sb.length() - TAIL.length();
        for (int i = 0; i < pad; i++) {
            sb.append(WORDS.charAt(i % WORDS.length()));
        }
        sb.append(TAIL);
        String json = sb.toString();
        if (json.getBytes(StandardCharsets.UTF_8).length != bytes) {
            throw new AssertionError("built " + json.getBytes(StandardCharsets.UTF_8).length + " bytes, wanted " + bytes);
        }
        return json;
    }

    private static String head(int seq) {
        return String.format(HEAD_FORMAT, 42, 1051 + seq);
    }
}
