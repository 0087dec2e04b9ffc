package dev.bridge.core;

import java.util.regex.Pattern;

/** Takes what may be secret out of text bound for messages and logs. Stateless and thread-safe. */
public final class Secrets {

    /** A scheme and what follows it up to the authority — {@code https://}, {@code redis:/}, even {@code http//}. */
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*(:/*|/+)");

    private Secrets() {
    }

    /** Where the path that goes on from {@code from} ends: at its query, its fragment, or the end. */
    private static int indexOfAny(String text, int from) {
        for (int i = from; i < text.length(); i++) {
            if (text.charAt(i) == '?' || text.charAt(i) == '#') {
                return i;
            }
        }
        return text.length();
    }

    /**
     * A URI, or text meant as one that may not parse, with its user info and its query replaced by
     * {@code ***}: {@code redis://:pw@h:6379} is {@code redis://***@h:6379}, {@code https://h/x?token=t}
     * is {@code https://h/x?***}. Everything up to the last {@code @} counts as user info, so a
     * password holding {@code /} or {@code @} is hidden too; over-hiding is harmless. Of the path
     * only the first segment is kept ({@code https://hooks.example.com/services/***}), since some
     * services put a token in it.
     */
    public static String maskUri(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        int at = out.lastIndexOf('@');
        if (at >= 0) {
            var scheme = SCHEME.matcher(out);
            int start = scheme.find() && scheme.end() <= at ? scheme.end() : 0;
            out = out.substring(0, start) + "***" + out.substring(at);
        }
        int query = out.indexOf('?');
        if (query >= 0) {
            out = out.substring(0, query) + "?***";
        }
        int fragment = out.indexOf('#');
        if (fragment >= 0) {
            out = out.substring(0, fragment) + "#***";
        }
        var scheme = SCHEME.matcher(out);
        if (scheme.find()) {
            // Webhook services (Slack's, Discord's, Teams') put the token in the path: keep only its first segment.
            int slashes = out.indexOf("://");
            int authority = slashes >= 0 ? slashes + 3 : scheme.end();
            while (authority < out.length() && out.charAt(authority) == '/') {
                authority++;
            }
            int path = out.indexOf('/', authority);
            int second = path < 0 ? -1 : out.indexOf('/', path + 1);
            int end = second < 0 ? -1 : indexOfAny(out, second);
            if (second >= 0 && end > second + 1) {
                out = out.substring(0, second) + "/***" + out.substring(end);
            }
        }
        return out;
    }
}
