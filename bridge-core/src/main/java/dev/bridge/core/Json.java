package dev.bridge.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * One JSON value kept as the text its source produced (never reformatted). Immutable; instances
 * made by {@link #parse} hold exactly one well-formed value.
 */
public final class Json {

    /**
     * Streaming reads keep no recursion, so only the reassembler's message size bounds a change;
     * Jackson's defaults would reject large strings and deep nesting that PostgreSQL accepts.
     */
    static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxStringLength(Integer.MAX_VALUE)
                    .maxNestingDepth(100_000)
                    .build())
            .build();
    private static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);

    private final String text;

    private Json(String text) {
        this.text = text;
    }

    /**
     * @throws IllegalArgumentException if {@code text} is not exactly one JSON value
     */
    public static Json parse(String text) {
        Objects.requireNonNull(text, "text");
        try (JsonParser parser = FACTORY.createParser(text)) {
            if (parser.nextToken() == null) {
                throw new IllegalArgumentException("not JSON: empty text");
            }
            parser.skipChildren();
            if (parser.nextToken() != null) {
                throw new IllegalArgumentException("not JSON: text continues after the first value");
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Json(text);
    }

    /** The JSON form of a Java value (maps, lists, strings, numbers, booleans, records). */
    public static Json of(Object value) {
        try {
            return new Json(MAPPER.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + value.getClass().getName() + " as JSON", e);
        }
    }

    /** For text that a JSON parser has just read as one value. */
    static Json trusted(String text) {
        return new Json(text);
    }

    public String text() {
        return text;
    }

    /** A freshly parsed tree; changing it does not change this value. */
    public JsonNode tree() {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreachable: text was validated", e);
        }
    }

    /** Whether this is the JSON literal {@code null}. */
    public boolean isNull() {
        // The text is exactly one value, so only "null" with whitespace around it is null.
        return text.length() < 64 && text.strip().equals("null");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Json other && text.equals(other.text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
