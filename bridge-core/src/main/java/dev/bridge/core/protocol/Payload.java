package dev.bridge.core.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The bytes of one reassembled message: UTF-8 text, held as the frames it came in so that
 * reassembly copies each byte at most once. A message of one frame keeps that frame's text; a split
 * message keeps its frames' bytes. Immutable and safe to share between threads.
 *
 * <p>Text that is not valid Unicode (an unpaired surrogate, which PostgreSQL never sends) is
 * encoded as {@code '?'} in the byte views, while {@link #asString()} of a one-frame message returns
 * it as received.
 */
public final class Payload {

    private static final byte[][] NO_SEGMENTS = new byte[0][];
    private static final int[] NO_STARTS = new int[0];
    private static final Payload EMPTY = new Payload(NO_SEGMENTS, NO_STARTS, 0);

    /** The one frame's text when this payload is its body ({@code text[textStart ..]}), else null. */
    private final String text;
    private final int textStart;
    private final byte[][] segments;
    private final int[] starts;
    /** In bytes; computed on first use for a payload held as text. */
    private int size;

    /** Segment {@code i} is {@code segments[i][starts[i] ..]}; the arrays are owned by this payload. */
    Payload(byte[][] segments, int[] starts, int size) {
        this.text = null;
        this.textStart = 0;
        this.segments = segments;
        this.starts = starts;
        this.size = size;
    }

    /** The body of a frame that holds a whole message: {@code frame[bodyStart ..]}. */
    Payload(String frame, int bodyStart) {
        this.text = frame;
        this.textStart = bodyStart;
        this.segments = NO_SEGMENTS;
        this.starts = NO_STARTS;
        this.size = -1;
    }

    /** A payload holding the UTF-8 encoding of {@code text}. */
    public static Payload of(String text) {
        return of(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A payload holding a copy of {@code utf8}. */
    public static Payload of(byte[] utf8) {
        if (utf8.length == 0) {
            return EMPTY;
        }
        return new Payload(new byte[][] {utf8.clone()}, new int[] {0}, utf8.length);
    }

    /** Length in bytes. */
    public int size() {
        int known = size;
        if (known < 0) {
            known = utf8Length(text, textStart);
            size = known;
        }
        return known;
    }

    public boolean isEmpty() {
        return text != null ? textStart == text.length() : size == 0;
    }

    /** The bytes as one new array. */
    public byte[] toByteArray() {
        if (text != null) {
            return text.substring(textStart).getBytes(StandardCharsets.UTF_8);
        }
        byte[] out = new byte[size];
        int pos = 0;
        for (int i = 0; i < segments.length; i++) {
            int len = segments[i].length - starts[i];
            System.arraycopy(segments[i], starts[i], out, pos, len);
            pos += len;
        }
        return out;
    }

    /** The whole message decoded as UTF-8. */
    public String asString() {
        if (text != null) {
            return text.substring(textStart);
        }
        if (segments.length == 1) {
            return new String(segments[0], starts[0], size, StandardCharsets.UTF_8);
        }
        return new String(toByteArray(), StandardCharsets.UTF_8);
    }

    /**
     * Bytes {@code [from, to)} decoded as UTF-8.
     *
     * @throws IndexOutOfBoundsException if the range is not within {@code [0, size()]}
     */
    public String asString(int from, int to) {
        Objects.checkFromToIndex(from, to, size());
        if (text != null) {
            return new String(toByteArray(), from, to - from, StandardCharsets.UTF_8);
        }
        int seg = 0;
        int segStart = 0;
        while (seg < segments.length && from >= segStart + segments[seg].length - starts[seg]) {
            segStart += segments[seg].length - starts[seg];
            seg++;
        }
        int len = to - from;
        if (len == 0) {
            return "";
        }
        int segLen = segments[seg].length - starts[seg];
        if (to - segStart <= segLen) {
            return new String(segments[seg], starts[seg] + from - segStart, len, StandardCharsets.UTF_8);
        }
        byte[] out = new byte[len];
        int pos = 0;
        int offset = from - segStart;
        while (pos < len) {
            int n = Math.min(segments[seg].length - starts[seg] - offset, len - pos);
            System.arraycopy(segments[seg], starts[seg] + offset, out, pos, n);
            pos += n;
            seg++;
            offset = 0;
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    /** Writes the bytes to {@code out} without copying them first. */
    public void writeTo(OutputStream out) throws IOException {
        if (text != null) {
            out.write(toByteArray());
            return;
        }
        for (int i = 0; i < segments.length; i++) {
            out.write(segments[i], starts[i], segments[i].length - starts[i]);
        }
    }

    /** A stream over the bytes; it holds no resources, so closing it is optional. */
    public InputStream openStream() {
        if (text != null) {
            return new java.io.ByteArrayInputStream(toByteArray());
        }
        return new InputStream() {
            private int seg;
            private int pos = segments.length == 0 ? 0 : starts[0];

            private boolean advance() {
                while (seg < segments.length && pos >= segments[seg].length) {
                    seg++;
                    if (seg < segments.length) {
                        pos = starts[seg];
                    }
                }
                return seg < segments.length;
            }

            @Override
            public int read() {
                return advance() ? segments[seg][pos++] & 0xFF : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                Objects.checkFromIndexSize(off, len, b.length);
                if (len == 0) {
                    return 0;
                }
                if (!advance()) {
                    return -1;
                }
                int n = Math.min(len, segments[seg].length - pos);
                System.arraycopy(segments[seg], pos, b, off, n);
                pos += n;
                return n;
            }
        };
    }

    /** Whether both hold the same bytes. */
    public boolean contentEquals(Payload other) {
        return size() == other.size() && java.util.Arrays.equals(toByteArray(), other.toByteArray());
    }

    /** A short description; never the content, which may be sensitive. */
    @Override
    public String toString() {
        return "Payload[" + size() + " bytes]";
    }

    /** Bytes of {@code s[from ..]} in UTF-8, counting an unpaired surrogate as the one byte it is encoded as ('?'). */
    static int utf8Length(String s, int from) {
        int bytes = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                bytes++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
