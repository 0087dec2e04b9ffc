package dev.bridge.core.protocol;

/**
 * Parses the header of a version-1 frame in place, without allocating. One instance per
 * reassembler; not thread-safe.
 */
final class FrameHeader {

    static final int MAX_ID_LENGTH = 32;
    private static final int MAX_NUMBER_DIGITS = 10;

    char kind;
    int idStart;
    int idEnd;
    /** The declared size for a first frame, the index for a middle or last one, unused otherwise. */
    int number;
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

    /** Whether the frame starts like a version-1 frame: {@code "B1"} and a kind character. */
    static boolean looksLikeV1(String frame) {
        return frame.length() >= 3 && frame.charAt(0) == 'B' && frame.charAt(1) == '1' && isKind(frame.charAt(2));
    }

    static void requireValidId(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_ID_LENGTH || !isIdRun(id, 0, id.length())) {
            throw new IllegalArgumentException("message id must be 1 to " + MAX_ID_LENGTH
                    + " ASCII letters and digits, got '" + id + "'");
        }
    }

    /**
     * Parses {@code frame}; on success the fields describe it and null is returned, otherwise the
     * reason it is not a valid version-1 frame.
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
        if (p != 2 || frame.charAt(1) != '1') {
            return RejectReason.UNSUPPORTED_VERSION;
        }
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
            bodyStart = p;
            return null;
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
        bodyStart = p + 1;
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
