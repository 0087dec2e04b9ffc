package dev.bridge.core.protocol;

/**
 * A frame of the original design's trigger (docs/protocol.md §3): {@code <36-char id><label>:<chunk>}
 * or {@code <36-char id>EOF}. That trigger cuts with {@code substr(text, label, 1000)} for labels 0,
 * 1000, 2000, …, so its first chunk holds 999 characters and each later one is labelled one past the
 * characters before it; a writer that labels the true offset is read too, and a message keeps the
 * one way it started with.
 *
 * @param id the message id: the row's first 36 characters
 * @param end whether this is the end frame, which carries no chunk
 * @param label the chunk's label; 0 for the first chunk and for the end
 * @param chunkStart where the chunk begins in the frame
 */
record LegacyFrame(String id, boolean end, long label, int chunkStart) {

    static final int ID_LENGTH = 36;
    private static final int MAX_LABEL_DIGITS = 10;

    /** The frame read as a legacy one, or null if it is not one. */
    static LegacyFrame read(String frame) {
        if (frame.length() < ID_LENGTH + 2) {
            return null;
        }
        String id = frame.substring(0, ID_LENGTH);
        if (frame.length() == ID_LENGTH + 3 && frame.startsWith("EOF", ID_LENGTH)) {
            return new LegacyFrame(id, true, 0, frame.length());
        }
        int p = ID_LENGTH;
        while (p < frame.length() && p - ID_LENGTH < MAX_LABEL_DIGITS && frame.charAt(p) >= '0' && frame.charAt(p) <= '9') {
            p++;
        }
        if (p == ID_LENGTH || p >= frame.length() || frame.charAt(p) != ':') {
            return null;
        }
        return new LegacyFrame(id, false, Long.parseLong(frame, ID_LENGTH, p, 10), p + 1);
    }

    /**
     * How far this chunk's label runs ahead of the {@code characters} received before it, when it
     * is one of the two ways legacy writers label (0 or 1); -1 otherwise.
     */
    int shiftAfter(long characters) {
        long shift = label - characters;
        return shift == 0 || shift == 1 ? (int) shift : -1;
    }
}
