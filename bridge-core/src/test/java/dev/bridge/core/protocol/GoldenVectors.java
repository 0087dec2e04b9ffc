package dev.bridge.core.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The golden vectors: input message, id and frame limit, and the exact frames every encoder must
 * produce (Java here, PL/pgSQL in bridge-postgres). {@link #main} rewrites the resource from
 * {@link #cases()}; the committed file is the reference, so a change to the encoder that alters it
 * shows up in review.
 */
public final class GoldenVectors {

    /** Where the vectors live on the test class path (shipped in bridge-core's test-jar). */
    public static final String RESOURCE = "/dev/bridge/core/protocol/golden-frames-v1.json";
    /** The signed (version 2) vectors, all under {@link #SIGNED_KEY_HEX}. */
    public static final String SIGNED_RESOURCE = "/dev/bridge/core/protocol/golden-frames-v2.json";
    /** The key of the signed vectors, 32 bytes in hexadecimal. */
    public static final String SIGNED_KEY_HEX = "8e1f0a2c4d6b5e7f90a1b2c3d4e5f6071829304a5b6c7d8e9fa0b1c2d3e4f506";

    /** One vector. */
    public record Vector(String name, String id, int maxFrameBytes, String payload, List<String> frames) {
    }

    private GoldenVectors() {
    }

    /** The unsigned (version 1) vectors as committed. */
    public static List<Vector> load() {
        return load(RESOURCE);
    }

    /** The signed (version 2) vectors as committed; their key is {@link #signedKey()}. */
    public static List<Vector> loadSigned() {
        return load(SIGNED_RESOURCE);
    }

    public static FrameKey signedKey() {
        return FrameKey.of(java.util.HexFormat.of().parseHex(SIGNED_KEY_HEX));
    }

    private static List<Vector> load(String resource) {
        try (InputStream in = GoldenVectors.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the class path");
            }
            JsonNode root = new ObjectMapper().readTree(in);
            List<Vector> vectors = new ArrayList<>();
            for (JsonNode v : root.get("vectors")) {
                List<String> frames = new ArrayList<>();
                v.get("frames").forEach(f -> frames.add(f.asText()));
                vectors.add(new Vector(v.get("name").asText(), v.get("id").asText(),
                        v.get("maxFrameBytes").asInt(), v.get("payload").asText(), frames));
            }
            return vectors;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Rewrites both resources under {@code args[0]} (the module's src/test/resources). */
    public static void main(String[] args) throws IOException {
        write(Path.of(args[0]), RESOURCE, "Bridge frames, version 1 (docs/protocol.md)", null, cases());
        write(Path.of(args[0]), SIGNED_RESOURCE, "Bridge signed frames, version 2 (docs/protocol.md), each tagged with"
                + " HMAC-SHA256 under the key given here", signedKey(), signedCases());
    }

    private static void write(Path dir, String resource, String protocol, FrameKey key, List<Vector> cases) throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("protocol", protocol);
        if (key != null) {
            root.put("key", SIGNED_KEY_HEX);
        }
        root.put("use", "encode(id, payload, maxFrameBytes) must yield exactly these frames;"
                + " reassembling them must yield payload");
        ArrayNode vectors = root.putArray("vectors");
        for (Vector c : cases) {
            ObjectNode v = vectors.addObject();
            v.put("name", c.name());
            v.put("id", c.id());
            v.put("maxFrameBytes", c.maxFrameBytes());
            v.put("payloadBytes", c.payload().getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
            v.put("payload", c.payload());
            ArrayNode frames = v.putArray("frames");
            FrameEncoder encoder = key == null ? new FrameEncoder(c.maxFrameBytes()) : FrameEncoder.signed(key, c.maxFrameBytes());
            encoder.encode(c.id(), c.payload()).forEach(frames::add);
        }
        Path out = dir.resolve(resource.substring(1));
        Files.createDirectories(out.getParent());
        Files.writeString(out, mapper.writeValueAsString(root) + "\n");
    }

    static List<Vector> cases() {
        List<Vector> cases = new ArrayList<>();
        String change = "{\"op\":\"INSERT\",\"bucket\":\"b\",\"id\":\"1\",\"val\":{\"k\":\"v\"},\"old\":null}";
        cases.add(c("empty message", "1", 7999, ""));
        cases.add(c("small change, one frame", "a1", 7999, change));
        cases.add(c("documentation example", "1f", 64, change));
        // "B1=ff:" is 6 bytes, so 58 bytes is the largest single frame at 64.
        cases.add(c("exactly fills one frame", "ff", 64, ascii(58)));
        cases.add(c("one byte too many for one frame", "ff", 64, ascii(59)));
        cases.add(c("longest id", "Z".repeat(16) + "0123456789abcdef", 64, ascii(100)));
        for (int shift = 0; shift < 4; shift++) {
            cases.add(c("2-byte characters, shift " + shift, "e" + shift, 64, ascii(shift) + "é".repeat(60)));
            cases.add(c("3-byte characters, shift " + shift, "f" + shift, 64, ascii(shift) + "€中".repeat(30)));
            cases.add(c("4-byte characters, shift " + shift, "g" + shift, 64, ascii(shift) + "😀".repeat(40)));
        }
        cases.add(c("mixed widths", "9a", 100, "a é € 😀 ".repeat(25)));
        cases.add(c("index reaches two digits", "10", 64, ascii(700)));
        cases.add(c("header-like text and escapes in the body", "7", 64,
                "{\"x\":\"B1<7:10:B1>7:1:\\u0000\\n\\t\\\"\\\\ :::\",\"y\":\"EOF\"}"));
        cases.add(c("three full frames at the PostgreSQL limit", "3e8", 7999, ascii(20_000)));
        cases.add(c("multi-byte text at the PostgreSQL limit", "3e9", 7999, "Grüße, 世界! 😀 ".repeat(700)));
        return cases;
    }

    /** Version 2: a message is the sending transaction's id, a colon, and the change (docs/protocol.md §2.5). */
    static List<Vector> signedCases() {
        List<Vector> cases = new ArrayList<>();
        String change = "{\"op\":\"INSERT\",\"bucket\":\"public.orders\",\"id\":\"42\",\"version\":0,"
                + "\"ts\":\"2026-12-01T10:15:30.123456Z\",\"seq\":1051,\"val\":{\"id\":42,\"status\":\"new\"},\"old\":null}";
        cases.add(c("empty message", "1", 7999, ""));
        cases.add(c("documentation example: a change in one frame", "41b", 7999, "7305:" + change));
        cases.add(c("documentation example: the same change at the smallest limit", "41b", 128, "7305:" + change));
        // "B2=ff:" + tag + ":" is 39 bytes, so 89 bytes is the largest single frame at 128.
        cases.add(c("exactly fills one frame", "ff", 128, ascii(89)));
        cases.add(c("one byte too many for one frame", "ff", 128, ascii(90)));
        cases.add(c("longest id", "Z".repeat(16) + "0123456789abcdef", 128, ascii(300)));
        for (int shift = 0; shift < 4; shift++) {
            cases.add(c("2-byte characters, shift " + shift, "e" + shift, 128, ascii(shift) + "é".repeat(90)));
            cases.add(c("3-byte characters, shift " + shift, "f" + shift, 128, ascii(shift) + "€中".repeat(45)));
            cases.add(c("4-byte characters, shift " + shift, "g" + shift, 128, ascii(shift) + "😀".repeat(60)));
        }
        cases.add(c("index reaches two digits", "10", 128, "9:" + ascii(800)));
        cases.add(c("header-like text in the body", "7", 128,
                "12:{\"x\":\"B2<7:10:" + "0".repeat(32) + ":B1>7:1:\\n\\\" :::\",\"y\":\"EOF\"}"));
        cases.add(c("multi-byte text at the PostgreSQL limit", "3e9", 7999, "88001:" + "Grüße, 世界! 😀 ".repeat(700)));
        return cases;
    }

    private static Vector c(String name, String id, int limit, String payload) {
        return new Vector(name, id, limit, payload, List.of());
    }

    /** Deterministic printable ASCII of {@code n} characters. */
    private static String ascii(int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append((char) ('a' + (i * 7 + i / 26) % 26));
        }
        return sb.toString();
    }
}
