package dev.bridge.core.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.LongSupplier;

/** Shared helpers for the protocol tests: text generation, a strict UTF-8 check and a clock. */
final class Fixtures {

    /** Characters a header parser could trip over, mixed into generated text on purpose. */
    private static final String TRICKY_ASCII = "B1=<+>:0123456789\"{}\\ \n\t";

    private Fixtures() {
    }

    /** Text of {@code codePoints} code points, drawn from a mix of 1- to 4-byte UTF-8 characters. */
    static String randomText(Random random, int codePoints) {
        // Per message, a random weighting, so some messages are mostly ASCII and some mostly emoji.
        int[] weights = {random.nextInt(10), random.nextInt(4), random.nextInt(4), random.nextInt(4), random.nextInt(4)};
        int total = 0;
        for (int w : weights) {
            total += w;
        }
        if (total == 0) {
            weights[0] = 1;
            total = 1;
        }
        StringBuilder text = new StringBuilder(codePoints * 2);
        for (int i = 0; i < codePoints; i++) {
            int pick = random.nextInt(total);
            int category = 0;
            while (pick >= weights[category]) {
                pick -= weights[category];
                category++;
            }
            text.appendCodePoint(randomCodePoint(random, category));
        }
        return text.toString();
    }

    private static int randomCodePoint(Random random, int category) {
        switch (category) {
            case 0:
                return 0x20 + random.nextInt(0x5F);
            case 1:
                return TRICKY_ASCII.charAt(random.nextInt(TRICKY_ASCII.length()));
            case 2:
                return 0x80 + random.nextInt(0x800 - 0x80);
            case 3:
                int bmp = 0x800 + random.nextInt(0x10000 - 0x800 - 0x800);
                return bmp >= 0xD800 ? bmp + 0x800 : bmp;
            default:
                return 0x10000 + random.nextInt(0x110000 - 0x10000);
        }
    }

    /** Text of about {@code utf8Bytes} bytes (never more), mixing character widths. */
    static String randomTextOfBytes(Random random, int utf8Bytes) {
        String text = randomText(random, utf8Bytes);
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int end = Math.min(utf8Bytes, bytes.length);
        while (end < bytes.length && (bytes[end] & 0xC0) == 0x80) {
            end--;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static int utf8Length(String text) {
        return utf8(text).length;
    }

    /** Whether {@code bytes[from, to)} is well-formed UTF-8 on its own. */
    static boolean isStrictUtf8(byte[] bytes, int from, int to) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, from, to - from));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    static List<Outcome> feed(Reassembler reassembler, List<String> frames) {
        List<Outcome> outcomes = new ArrayList<>(frames.size());
        for (String frame : frames) {
            outcomes.add(reassembler.accept(frame));
        }
        return outcomes;
    }

    /** A nanosecond clock that moves only when told. */
    static final class FakeClock implements LongSupplier {
        private long now;

        FakeClock() {
            this(0);
        }

        FakeClock(long start) {
            this.now = start;
        }

        void advance(Duration by) {
            now += by.toNanos();
        }

        void advanceNanos(long nanos) {
            now += nanos;
        }

        @Override
        public long getAsLong() {
            return now;
        }
    }
}
