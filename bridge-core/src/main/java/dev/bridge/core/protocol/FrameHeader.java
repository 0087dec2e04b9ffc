package dev.bridge.core.protocol;

/**
 * Parses the header of a version-1 or version-2 frame in place, without allocating. One instance
 * per reassembler; not thread-safe.
 */
final class FrameHeader {

    static final int MAX_ID_LENGTH = 32;
    private static final int MAX_NUMBER_DIGITS = 10;

    /** 1 (unsigned) or 2 (signed). */
    int version;
    char kind;
    int idStart;
    int idEnd;
    /** The declared size for a first frame, the index for a middle or last one, unused otherwise. */
    int number;
    /** Version 2: where the tag starts; the header before it and the body are what the tag covers. */
    int tagStart;
    int bodyStart;

    static boolean isSingle(char kind) {
        return kind == '=';
    }

    static boolean isFirst(char kind) {
        return kind == '<';
    }

    static boolean isLast(char kind) {
        return kind == '>';
    }

    /** Whether the frame starts like a Bridge frame: {@code "B1"} or {@code "B2"} and a kind character. */
    static boolean looksLikeBridge(String frame) {
        return frame.length() >= 3 && frame.charAt(0) == 'B' && (frame.charAt(1) == '1' || frame.charAt(1) == '2')
                && isKind(frame.charAt(2));
    }

    static void requireValidId(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_ID_LENGTH || !isIdRun(id, 0, id.length())) {
            throw new IllegalArgumentException("message id must be 1 to " + MAX_ID_LENGTH
                    + " ASCII letters and digits, got '" + id + "'");
        }
    }

    /**
     * Parses {@code frame}; on success the fields describe it and null is returned, otherwise the
     * reason it is not a valid version-1 or version-2 frame. A version-2 tag is only checked for
     * its form here.
     */
    RejectReason parse(String frame) {
        int len = frame.length();
        if (len < 2 || frame.charAt(0) != 'B' || !isDigit(frame.charAt(1))) {
            return RejectReason.FOREIGN;
        }
        int p = 1;
        while (p < len && isDigit(frame.charAt(p))) {
            p++;
        }
        if (p != 2 || (frame.charAt(1) != '1' && frame.charAt(1) != '2')) {
            return RejectReason.UNSUPPORTED_VERSION;
        }
        version = frame.charAt(1) - '0';
        if (p >= len || !isKind(frame.charAt(p))) {
            return RejectReason.MALFORMED;
        }
        kind = frame.charAt(p++);
        idStart = p;
        while (p < len && p - idStart <= MAX_ID_LENGTH && isIdChar(frame.charAt(p))) {
            p++;
        }
        idEnd = p;
        if (idEnd == idStart || idEnd - idStart > MAX_ID_LENGTH || p >= len || frame.charAt(p) != ':') {
            return RejectReason.MALFORMED;
        }
        p++;
        if (isSingle(kind)) {
            number = 0;
            return tag(frame, p);
        }
        int digitsStart = p;
        long value = 0;
        while (p < len && isDigit(frame.charAt(p)) && p - digitsStart < MAX_NUMBER_DIGITS) {
            value = value * 10 + (frame.charAt(p) - '0');
            p++;
        }
        int digits = p - digitsStart;
        boolean leadingZero = digits > 1 && frame.charAt(digitsStart) == '0';
        if (digits == 0 || leadingZero || value > Integer.MAX_VALUE || p >= len || frame.charAt(p) != ':') {
            return RejectReason.MALFORMED;
        }
        if (!isFirst(kind) && value == 0) {
            return RejectReason.MALFORMED;
        }
        number = (int) value;
        return tag(frame, p + 1);
    }

    /** Reads the tag of a version-2 frame at {@code p}, where version 1 has its body. */
    private RejectReason tag(String frame, int p) {
        if (version == 1) {
            bodyStart = p;
            return null;
        }
        int end = p + FrameKey.TAG_LENGTH;
        if (end >= frame.length() || frame.charAt(end) != ':') {
            return RejectReason.MALFORMED;
        }
        for (int i = p; i < end; i++) {
            char c = frame.charAt(i);
            if (!isDigit(c) && (c < 'a' || c > 'f')) {
                return RejectReason.MALFORMED;
            }
        }
        tagStart = p;
        bodyStart = end + 1;
        return null;
    }

    private static boolean isKind(char c) {
        return c == '=' || c == '<' || c == '+' || c == '>';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isIdChar(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isIdRun(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!isIdChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
