package dev.bridge.benchmarks.load;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Value sizes as people write them: {@code 200}, {@code 200B}, {@code 4k}, {@code 4KB}, {@code 64KiB} (K = 1024). */
final class Sizes {

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|k|kb|kib)?");

    private Sizes() {
    }

    /** @throws IllegalArgumentException naming the accepted forms */
    static int parse(String text) {
        Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (m.matches()) {
            try {
                long n = Long.parseLong(m.group(1)) * (m.group(2) == null || m.group(2).equals("b") ? 1 : 1024);
                if (n <= Integer.MAX_VALUE) {
                    return (int) n;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new IllegalArgumentException("a size is a number of bytes, optionally with B or K/KB/KiB (×1024), got '" + text + "'");
    }

    /** {@code 200 B}, {@code 4 KB}, {@code 1500 B}: whole KB (of 1024) when exact. */
    static String label(int bytes) {
        return bytes >= 1024 && bytes % 1024 == 0 ? bytes / 1024 + " KB" : bytes + " B";
    }
}
