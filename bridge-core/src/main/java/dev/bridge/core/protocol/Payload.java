package dev.bridge.core.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The bytes of one reassembled message: UTF-8 text, held as the bodies of the frames it came in so
 * that reassembly copies each byte once. Immutable and safe to share between threads.
 */
public final class Payload {

    private static final byte[][] NO_SEGMENTS = new byte[0][];
    private static final int[] NO_STARTS = new int[0];
    private static final Payload EMPTY = new Payload(NO_SEGMENTS, NO_STARTS, 0);

    private final byte[][] segments;
    private final int[] starts;
    private final int size;

    /** Segment {@code i} is {@code segments[i][starts[i] ..]}; the arrays are owned by this payload. */
    Payload(byte[][] segments, int[] starts, int size) {
        this.segments = segments;
        this.starts = starts;
        this.size = size;
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
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** The bytes as one new array. */
    public byte[] toByteArray() {
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
        Objects.checkFromToIndex(from, to, size);
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
        for (int i = 0; i < segments.length; i++) {
            out.write(segments[i], starts[i], segments[i].length - starts[i]);
        }
    }

    /** A stream over the bytes; it holds no resources, so closing it is optional. */
    public InputStream openStream() {
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
        return size == other.size && java.util.Arrays.equals(toByteArray(), other.toByteArray());
    }

    /** A short description; never the content, which may be sensitive. */
    @Override
    public String toString() {
        return "Payload[" + size + " bytes]";
    }
}
