package dev.bridge.benchmarks.load;

import dev.bridge.core.Json;
import java.util.Random;

/**
 * The states the writers store: JSON objects of exactly the asked size in bytes, ASCII, whose text
 * is random letters and digits so that PostgreSQL's TOAST compression gains nothing on them (real
 * documents compress somewhat; these are the worst case). A few variants take turns so that
 * consecutive versions of an object differ.
 */
final class Values {

    /** {@code {"note":""}}: the smallest value. */
    static final int MIN_BYTES = 11;
    private static final int VARIANTS = 8;
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private final Json[] variants = new Json[VARIANTS];

    Values(int bytes) {
        if (bytes < MIN_BYTES) {
            throw new IllegalArgumentException("a value needs at least " + MIN_BYTES + " bytes, asked for " + bytes);
        }
        Random random = new Random(bytes);
        for (int v = 0; v < VARIANTS; v++) {
            StringBuilder sb = new StringBuilder(bytes).append("{\"note\":\"");
            for (int i = MIN_BYTES; i < bytes; i++) {
                sb.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
            variants[v] = Json.parse(sb.append("\"}").toString());
        }
    }

    /** The state of an object at {@code version}. */
    Json at(long version) {
        return variants[(int) (version % VARIANTS)];
    }
}
