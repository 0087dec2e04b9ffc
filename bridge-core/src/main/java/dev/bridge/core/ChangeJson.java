package dev.bridge.core;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * Reads and writes a {@link Change}'s JSON form ({@code docs/protocol.md} §1). Stateless and
 * thread-safe. {@code val} and {@code old} are copied as the source wrote them.
 */
public final class ChangeJson {

    private ChangeJson() {
    }

    /** The change as UTF-8 JSON, members in the documented order. */
    public static byte[] toBytes(Change change) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + length(change.val()) + length(change.old()));
        try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("op", change.op().name());
            g.writeStringField("bucket", change.bucket());
            g.writeStringField("id", change.id());
            g.writeNumberField("version", change.version());
            g.writeStringField("ts", change.ts().toString());
            g.writeNumberField("seq", change.seq());
            writeJson(g, "val", change.val());
            writeJson(g, "old", change.old());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The length of {@link #toBytes}'s result, without building it: what a large change would cost to send. */
    public static long size(Change change) {
        Change bare = new Change(change.op(), change.bucket(), change.id(), change.version(), change.ts(), null, null, change.seq());
        // The bare form writes null, 4 bytes, for each of val and old.
        return toBytes(bare).length - 8L + utf8Length(change.val()) + utf8Length(change.old());
    }

    private static long utf8Length(Json json) {
        if (json == null) {
            return 4;
        }
        String text = json.text();
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** The change as JSON text. */
    public static String toJson(Change change) {
        return new String(toBytes(change), StandardCharsets.UTF_8);
    }

    /**
     * Reads a change from JSON text; {@code op}, {@code bucket} and {@code id} are required
     * (docs/protocol.md §1), a missing {@code ts} is taken to be the time of reading, a missing
     * {@code version} or {@code seq} to be 0.
     *
     * @throws MalformedChangeException saying what is wrong, without quoting the content
     */
    public static Change read(String json) {
        return read(json, Instant.now());
    }

    /**
     * Reads a change, also in the original design's form ({@code {op, bucket, id, val, old}}); a
     * missing {@code ts} is taken to be {@code receivedAt}, a missing {@code version} or
     * {@code seq} to be 0.
     *
     * @throws MalformedChangeException saying what is wrong, without quoting the content
     */
    public static Change read(String json, Instant receivedAt) {
        try (JsonParser p = Json.FACTORY.createParser(json)) {
            p.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature());
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new MalformedChangeException("a change must be a JSON object");
            }
            String op = null;
            String bucket = null;
            String id = null;
            String ts = null;
            long version = 0;
            long seq = 0;
            Json val = null;
            Json old = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "op" -> op = text(p, field);
                    case "bucket" -> bucket = text(p, field);
                    case "id" -> id = text(p, field);
                    case "ts" -> ts = text(p, field);
                    case "version" -> version = number(p, field);
                    case "seq" -> seq = number(p, field);
                    case "val" -> val = raw(p, json);
                    case "old" -> old = raw(p, json);
                    default -> p.skipChildren();
                }
                if (value == null) {
                    throw new MalformedChangeException("change JSON ends inside member '" + field + "'");
                }
            }
            if (p.nextToken() != null) {
                throw new MalformedChangeException("change JSON continues after its object");
            }
            require(op, "op");
            require(bucket, "bucket");
            require(id, "id");
            Instant when = ts != null ? instant(ts) : receivedAt;
            require(when, "ts");
            return new Change(Op.parse(op), bucket, id, version, when, val, old, seq);
        } catch (JsonProcessingException e) {
            throw new MalformedChangeException("change is not valid JSON: " + e.getOriginalMessage()
                    + " at character " + e.getLocation().getCharOffset());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (IllegalArgumentException e) {
            throw new MalformedChangeException("invalid change: " + e.getMessage(), e);
        }
    }

    private static String text(JsonParser p, String field) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw new MalformedChangeException("change member '" + field + "' must be a string");
        }
        return p.getText();
    }

    private static long number(JsonParser p, String field) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
            throw new MalformedChangeException("change member '" + field + "' must be an integer");
        }
        return p.getLongValue();
    }

    /** The value under the parser as the exact text it occupies in the message; JSON null as Java null. */
    private static Json raw(JsonParser p, String json) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return null;
        }
        long start = p.currentTokenLocation().getCharOffset();
        p.skipChildren();
        p.finishToken();
        long end = p.currentLocation().getCharOffset();
        return Json.trusted(json.substring((int) start, (int) end));
    }

    private static Instant instant(String ts) {
        try {
            return OffsetDateTime.parse(ts).toInstant();
        } catch (DateTimeParseException e) {
            throw new MalformedChangeException("change member 'ts' must be an RFC 3339 timestamp, e.g. 2026-11-24T10:15:30.123456Z");
        }
    }

    private static void require(Object value, String field) {
        if (value == null) {
            throw new MalformedChangeException("change JSON lacks the required member '" + field + "'");
        }
    }

    private static void writeJson(JsonGenerator g, String field, Json json) throws IOException {
        g.writeFieldName(field);
        if (json == null) {
            g.writeNull();
        } else {
            g.writeRawValue(json.text());
        }
    }

    private static int length(Json json) {
        return json == null ? 4 : json.text().length();
    }
}
