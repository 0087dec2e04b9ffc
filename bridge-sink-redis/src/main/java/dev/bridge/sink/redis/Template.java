package dev.bridge.sink.redis;

import dev.bridge.core.Change;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A channel or key template; see {@link RedisSinkOptions}. Immutable. */
final class Template {

    private static final List<String> PLACEHOLDERS = List.of("{bucket}", "{id}", "{op}");

    private final String text;
    /** Literal text and placeholders, in order; placeholders are the very strings of PLACEHOLDERS. */
    private final List<String> parts;

    Template(String text) {
        this.text = text;
        List<String> found = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            String placeholder = placeholderAt(text, i);
            if (placeholder == null) {
                literal.append(text.charAt(i++));
                continue;
            }
            if (literal.length() > 0) {
                found.add(literal.toString());
                literal.setLength(0);
            }
            found.add(placeholder);
            i += placeholder.length();
        }
        if (literal.length() > 0) {
            found.add(literal.toString());
        }
        this.parts = List.copyOf(found);
    }

    byte[] render(Change change) {
        StringBuilder out = new StringBuilder(text.length() + 32);
        for (String part : parts) {
            // Identity: a literal equal to a placeholder's text cannot occur, it would have been parsed.
            if (part == PLACEHOLDERS.get(0)) {
                out.append(change.bucket());
            } else if (part == PLACEHOLDERS.get(1)) {
                out.append(change.id());
            } else if (part == PLACEHOLDERS.get(2)) {
                out.append(change.op().name());
            } else {
                out.append(part);
            }
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String placeholderAt(String text, int i) {
        for (String p : PLACEHOLDERS) {
            if (text.startsWith(p, i)) {
                return p;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return text;
    }
}
