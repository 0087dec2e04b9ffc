package dev.bridge.core.protocol;

import static dev.bridge.core.protocol.Fixtures.isStrictUtf8;
import static dev.bridge.core.protocol.Fixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.function.IntUnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class FrameEncoderTest {

    private static final Pattern FRAME = Pattern.compile(
            "B1(?<kind>[=<+>])(?<id>[A-Za-z0-9]{1,32}):(?:(?<number>0|[1-9][0-9]{0,9}):)?", Pattern.DOTALL);
    private static final Pattern SINGLE = Pattern.compile("B1=(?<id>[A-Za-z0-9]{1,32}):");
    private static final String ID_32 = "0123456789abcdefABCDEF0123456789";

    /** A frame taken apart by the grammar of docs/protocol.md §2.2, independently of FrameHeader. */
    private record Parsed(char kind, String id, long number, byte[] body) {
    }

    private static Parsed parse(String frame) {
        Matcher m = FRAME.matcher(frame);
        assertThat(m.lookingAt()).as("frame matches the grammar: %s", abbreviate(frame)).isTrue();
        char kind = m.group("kind").charAt(0);
        String number = m.group("number");
        if (kind == '=') {
            // For a single frame the body may itself start with digits and a colon: re-match without them.
            Matcher single = SINGLE.matcher(frame);
            assertThat(single.lookingAt()).isTrue();
            return new Parsed(kind, single.group("id"), -1, utf8(frame.substring(single.end())));
        }
        assertThat(number).as("size or index present in %s", abbreviate(frame)).isNotNull();
        long value = Long.parseLong(number);
        assertThat(value).isLessThanOrEqualTo(Integer.MAX_VALUE);
        return new Parsed(kind, m.group("id"), value, utf8(frame.substring(m.end())));
    }

    private static String abbreviate(String frame) {
        return frame.length() <= 60 ? frame : frame.substring(0, 60) + "…";
    }

    /**
     * Checks every property §2.2 and §2.3 promise of the frames of one message, and that they are
     * exactly the frames §2.3's algorithm produces.
     */
    static void assertValidFrames(List<String> frames, String id, byte[] message, int limit) {
        assertThat(frames).isNotEmpty();
        assertThat(new HashSet<>(frames)).as("no two frames alike").hasSize(frames.size());
        int headerOfSingle = ("B1=" + id + ":").length();
        boolean fitsInOne = headerOfSingle + message.length <= limit;
        assertThat(frames.size() == 1).as("split only when needed").isEqualTo(fitsInOne);
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        int pos = 0;
        for (int i = 0; i < frames.size(); i++) {
            String frame = frames.get(i);
            assertThat(utf8(frame).length).as("frame %d within %d bytes", i, limit).isLessThanOrEqualTo(limit);
            Parsed p = parse(frame);
            assertThat(p.id()).isEqualTo(id);
            if (fitsInOne) {
                assertThat(p.kind()).isEqualTo('=');
            } else if (i == 0) {
                assertThat(p.kind()).isEqualTo('<');
                assertThat(p.number()).as("declared size").isEqualTo(message.length);
            } else {
                assertThat(p.kind()).isEqualTo(i == frames.size() - 1 ? '>' : '+');
                assertThat(p.number()).as("index").isEqualTo(i);
            }
            if (!fitsInOne) {
                assertThat(p.body()).as("body of frame %d of a split message", i).isNotEmpty();
            }
            int end = pos + p.body().length;
            assertThat(end).isLessThanOrEqualTo(message.length);
            assertThat(isStrictUtf8(message, pos, end)).as("frame %d cuts no character", i).isTrue();
            if (p.kind() == '<' || p.kind() == '+') {
                // Greedy: the next character would not have fitted.
                int headerBytes = utf8(frame).length - p.body().length;
                int nextCharEnd = end + 1;
                while (nextCharEnd < message.length && (message[nextCharEnd] & 0xC0) == 0x80) {
                    nextCharEnd++;
                }
                assertThat(headerBytes + nextCharEnd - pos).as("frame %d is as full as allowed", i).isGreaterThan(limit);
            }
            joined.writeBytes(p.body());
            pos = end;
        }
        assertThat(joined.toByteArray()).isEqualTo(message);
        assertThat(frames).isEqualTo(referenceEncode(id, message, limit));
    }

    /** docs/protocol.md §2.3, transcribed step by step. */
    static List<String> referenceEncode(String id, byte[] m, int limit) {
        int n = m.length;
        String single = "B1=" + id + ":";
        if (single.length() + n <= limit) {
            return List.of(single + new String(m, StandardCharsets.UTF_8));
        }
        List<String> frames = new ArrayList<>();
        int pos = 0;
        for (int i = 0; ; i++) {
            String h;
            boolean last = false;
            if (i == 0) {
                h = "B1<" + id + ":" + n + ":";
            } else if (n - pos <= limit - ("B1>" + id + ":" + i + ":").length()) {
                h = "B1>" + id + ":" + i + ":";
                last = true;
            } else {
                h = "B1+" + id + ":" + i + ":";
            }
            int end;
            if (last) {
                end = n;
            } else {
                end = pos + limit - h.length();
                while ((m[end] & 0xC0) == 0x80) {
                    end--;
                }
            }
            frames.add(h + new String(m, pos, end - pos, StandardCharsets.UTF_8));
            pos = end;
            if (last) {
                return frames;
            }
        }
    }

    private static String ascii(int length) {
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append((char) ('a' + i % 26));
        }
        return s.toString();
    }

    @Test
    void defaultLimitIsPostgresNotifyLimit() {
        assertThat(new FrameEncoder().maxFrameBytes()).isEqualTo(7999);
        assertThat(FrameEncoder.MAX_FRAME_BYTES).isEqualTo(7999);
        assertThat(FrameEncoder.MIN_FRAME_BYTES).isEqualTo(64);
    }

    @Test
    void smallMessageIsOneSingleFrame() {
        assertThat(new FrameEncoder().encode("1f", "{\"op\":\"DELETE\"}"))
                .containsExactly("B1=1f:{\"op\":\"DELETE\"}");
    }

    @Test
    void emptyMessageIsOneSingleFrameWithEmptyBody() {
        assertThat(new FrameEncoder(64).encode("a", "")).containsExactly("B1=a:");
        assertThat(new FrameEncoder(64).encode("a", new byte[0])).containsExactly("B1=a:");
    }

    @Test
    void splitsTheProtocolExampleMessageGreedily() {
        // The 64-byte message of docs/protocol.md §4 with L = 64, as the normative §2.3 cuts it.
        String message = "{\"op\":\"INSERT\",\"bucket\":\"b\",\"id\":\"1\",\"val\":{\"k\":\"v\"},\"old\":null}";
        assertThat(utf8(message)).hasSize(64);

        List<String> frames = new FrameEncoder(64).encode("1f", message);

        assertThat(frames).containsExactly(
                "B1<1f:64:{\"op\":\"INSERT\",\"bucket\":\"b\",\"id\":\"1\",\"val\":{\"k\":\"v\"},\"o",
                "B1>1f:1:ld\":null}");
        assertValidFrames(frames, "1f", utf8(message), 64);
    }

    @Test
    void splitsIntoFirstMiddlesAndLast() {
        List<String> frames = new FrameEncoder(64).encode("z", ascii(200));
        // Header "B1<z:200:" leaves 55 bytes, "B1+z:1:" leaves 57.
        assertThat(frames).containsExactly(
                "B1<z:200:" + ascii(200).substring(0, 55),
                "B1+z:1:" + ascii(200).substring(55, 112),
                "B1+z:2:" + ascii(200).substring(112, 169),
                "B1>z:3:" + ascii(200).substring(169));
    }

    static Stream<Arguments> limitsAndIds() {
        return Stream.of(64, 65, 100, 1000, 7998, 7999)
                .flatMap(limit -> Stream.of("7", "1f", "abc123", ID_32).map(id -> Arguments.of(limit, id)));
    }

    @ParameterizedTest(name = "L={0} id={1}")
    @MethodSource("limitsAndIds")
    void boundarySizesAroundTheSingleFrameLimit(int limit, String id) {
        FrameEncoder encoder = new FrameEncoder(limit);
        int fit = limit - ("B1=" + id + ":").length();
        for (int size : new int[] {0, 1, fit - 2, fit - 1, fit}) {
            List<String> frames = encoder.encode(id, ascii(size));
            assertThat(frames).as("%d bytes", size).containsExactly("B1=" + id + ":" + ascii(size));
            assertThat(utf8(frames.get(0)).length).isLessThanOrEqualTo(limit);
        }
        assertThat(utf8(encoder.encode(id, ascii(fit)).get(0))).as("exact fit fills the frame").hasSize(limit);
        for (int size : new int[] {fit + 1, fit + 2}) {
            List<String> frames = encoder.encode(id, ascii(size));
            assertThat(frames).as("%d bytes", size).hasSize(2);
            assertValidFrames(frames, id, utf8(ascii(size)), limit);
        }
    }

    @ParameterizedTest(name = "L={0} id={1}")
    @MethodSource("limitsAndIds")
    void boundarySizesAroundTheTwoAndThreeFrameLimits(int limit, String id) {
        FrameEncoder encoder = new FrameEncoder(limit);
        int twoFrameMax = largestSize(size -> firstRoom(limit, id, size) + room(limit, id, 1), 2 * limit);
        int threeFrameMax = largestSize(
                size -> firstRoom(limit, id, size) + room(limit, id, 1) + room(limit, id, 2), 3 * limit);
        for (int[] expectation : new int[][] {
                {twoFrameMax - 1, 2}, {twoFrameMax, 2}, {twoFrameMax + 1, 3}, {twoFrameMax + 2, 3},
                {threeFrameMax - 1, 3}, {threeFrameMax, 3}, {threeFrameMax + 1, 4}}) {
            int size = expectation[0];
            byte[] message = utf8(ascii(size));
            List<String> frames = encoder.encode(id, message);
            assertThat(frames).as("%d bytes", size).hasSize(expectation[1]);
            assertValidFrames(frames, id, message, limit);
        }
    }

    /** Room for the body of frame 0 of a message of {@code size} bytes. */
    private static int firstRoom(int limit, String id, int size) {
        return limit - ("B1<" + id + ":" + size + ":").length();
    }

    /** Room for the body of frame {@code index} (middle or last: same header length). */
    private static int room(int limit, String id, int index) {
        return limit - ("B1>" + id + ":" + index + ":").length();
    }

    /** The largest size that fits the capacity, which itself depends on the size's digits. */
    private static int largestSize(IntUnaryOperator capacity, int from) {
        int size = from;
        while (size > capacity.applyAsInt(size)) {
            size--;
        }
        return size;
    }

    @ParameterizedTest(name = "{0}-byte characters")
    @ValueSource(ints = {2, 3, 4})
    void multiByteCharactersAtEverySplitPointAreNeverCut(int width) {
        String wide = switch (width) {
            case 2 -> "é";
            case 3 -> "€";
            default -> "😀";
        };
        for (int limit : new int[] {64, 65, 66, 67, 100, 7999}) {
            FrameEncoder encoder = new FrameEncoder(limit);
            int length = limit == 7999 ? 3 * 7999 : 6 * limit;
            // Every ASCII offset 0..width-1 moves the characters across every cut position.
            for (int shift = 0; shift < width; shift++) {
                String message = ascii(shift) + wide.repeat((length - shift) / width);
                List<String> frames = encoder.encode("m" + shift, message);
                assertThat(frames).as("L=%d shift=%d", limit, shift).hasSizeGreaterThan(2);
                assertValidFrames(frames, "m" + shift, utf8(message), limit);
                for (String frame : frames) {
                    assertThat(frame).doesNotContain("\uFFFD");
                }
            }
        }
    }

    @Test
    void oneWideCharacterPlacedAtEachByteAroundTheCutsIsNeverSplit() {
        // A single wide character slid one byte at a time over the first two cut positions.
        for (String wide : new String[] {"ß", "€", "𝄞"}) {
            for (int limit : new int[] {64, 100}) {
                FrameEncoder encoder = new FrameEncoder(limit);
                for (int before = 40; before < 2 * limit + 10; before++) {
                    String message = ascii(before) + wide + ascii(limit);
                    List<String> frames = encoder.encode("q", message);
                    assertValidFrames(frames, "q", utf8(message), limit);
                    assertThat(String.join("", frames)).contains(wide);
                }
            }
        }
    }

    @Test
    void mixedRandomTextMatchesTheNormativeAlgorithm() {
        Random random = new Random(20261124);
        for (int round = 0; round < 300; round++) {
            int limit = round % 3 == 0 ? 64 + random.nextInt(40) : 64 + random.nextInt(7999 - 64 + 1);
            String message = Fixtures.randomText(random, random.nextInt(round % 5 == 0 ? 20_000 : 600));
            String id = Long.toHexString(random.nextLong() >>> random.nextInt(60));
            assertValidFrames(new FrameEncoder(limit).encode(id, message), id, utf8(message), limit);
        }
    }

    @Test
    void bytesAndStringEncodeAlike() {
        String message = "ä€😀".repeat(500);
        FrameEncoder encoder = new FrameEncoder(97);
        assertThat(encoder.encode("x1", utf8(message))).isEqualTo(encoder.encode("x1", message));
    }

    @Test
    void indicesRunPastNineWithoutLosingBytes() {
        // 10+ frames: the index grows to two digits, which shortens the room of later frames by one.
        String message = ascii(57 * 12);
        List<String> frames = new FrameEncoder(64).encode("k", message);
        assertThat(frames.size()).isGreaterThan(11);
        assertThat(frames.get(10)).startsWith("B1+k:10:");
        assertValidFrames(frames, "k", utf8(message), 64);
    }

    @Test
    void longestIdAtTheSmallestLimitStillCarriesWholeFourByteCharacters() {
        // Header "B1<" + 32 + ":100000:" is 43 bytes: 21 bytes of room, so five 4-byte characters a frame.
        byte[] message = utf8("😀".repeat(25_000));
        List<String> frames = new FrameEncoder(64).encode(ID_32, message);
        assertThat(frames.get(0)).isEqualTo("B1<" + ID_32 + ":100000:" + "😀".repeat(5));
        assertValidFrames(frames, ID_32, message, 64);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a-b", "a b", "a:b", "a_b", "é", "ａ", "١", "0123456789abcdef0123456789abcdef0", "id\n"})
    void invalidIdsAreRejected(String id) {
        FrameEncoder encoder = new FrameEncoder();
        assertThatThrownBy(() -> encoder.encode(id, "{}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> encoder.encode(id, new byte[] {'{', '}'})).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nullIdIsRejected() {
        assertThatThrownBy(() -> new FrameEncoder().encode(null, "{}")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void idsOfOneToThirtyTwoLettersAndDigitsAreAccepted() {
        FrameEncoder encoder = new FrameEncoder();
        for (String id : new String[] {"0", "Z", "deadBEEF", ID_32}) {
            assertThat(encoder.encode(id, "x")).containsExactly("B1=" + id + ":x");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {Integer.MIN_VALUE, -1, 0, 47, 63, 8000, 8192, Integer.MAX_VALUE})
    void limitsOutsideSixtyFourTo7999AreRejected(int limit) {
        assertThatThrownBy(() -> new FrameEncoder(limit)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(ints = {64, 65, 4000, 7999})
    void limitsWithinRangeAreAccepted(int limit) {
        assertThat(new FrameEncoder(limit).maxFrameBytes()).isEqualTo(limit);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\uD800", "\uDFFF", "a\uDC00b", "ends with high \uD83D", "\uDE00\uD83D reversed pair", "x\uD83D\uD83Dy"})
    void unpairedSurrogatesAreRejected(String message) {
        assertThatThrownBy(() -> new FrameEncoder().encode("a", message)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void unpairedSurrogateIsRejectedEvenWhenTheMessageMustBeSplit() {
        String message = ascii(500) + "\uD800" + ascii(10);
        assertThatThrownBy(() -> new FrameEncoder(64).encode("a", message)).isInstanceOf(IllegalArgumentException.class);
    }

    static Stream<byte[]> invalidUtf8() {
        return Stream.of(
                new byte[] {(byte) 0xFF},
                new byte[] {'a', (byte) 0xC3},
                new byte[] {(byte) 0x80, 'a'},
                new byte[] {(byte) 0xC0, (byte) 0xAF},
                new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0xAF},
                new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
                new byte[] {(byte) 0xF0, (byte) 0x9F, (byte) 0x98});
    }

    @ParameterizedTest
    @MethodSource("invalidUtf8")
    void invalidUtf8BytesAreRejected(byte[] message) {
        assertThatThrownBy(() -> new FrameEncoder().encode("a", message)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void surrogatePairsAreAccepted() {
        String message = "😀𝄞" + "\uD83D\uDE00";
        assertThat(new FrameEncoder().encode("a", message)).containsExactly("B1=a:" + message);
    }

    @Test
    void framesOfOneMessageAreAllDistinctEvenForRepetitiveContent() {
        String message = "x".repeat(57).repeat(40);
        List<String> frames = new FrameEncoder(64).encode("r", message);
        assertThat(new HashSet<>(frames)).hasSize(frames.size());
        assertThat(IntStream.range(0, frames.size()).mapToObj(i -> frames.get(i).substring(0, 3)).distinct())
                .containsExactly("B1<", "B1+", "B1>");
    }
}
