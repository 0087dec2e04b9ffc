package dev.bridge.core.protocol;

import static dev.bridge.core.protocol.Fixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PayloadTest {

    private static final String TEXT = "hello, wörld: € and 😀!";

    /**
     * TEXT split into segments that each sit after a fake header, the way frames hold them,
     * with empty segments at the start, in the middle and at the end.
     */
    private static Payload segmented() {
        byte[] bytes = utf8(TEXT);
        int[] cuts = {0, 0, 3, 7, 7, 12, 20, bytes.length, bytes.length};
        byte[][] segments = new byte[cuts.length - 1][];
        int[] starts = new int[cuts.length - 1];
        for (int i = 0; i < segments.length; i++) {
            byte[] header = ("B1+x:" + i + ":").getBytes(StandardCharsets.US_ASCII);
            segments[i] = new byte[header.length + cuts[i + 1] - cuts[i]];
            System.arraycopy(header, 0, segments[i], 0, header.length);
            System.arraycopy(bytes, cuts[i], segments[i], header.length, cuts[i + 1] - cuts[i]);
            starts[i] = header.length;
        }
        return new Payload(segments, starts, bytes.length);
    }

    /** A payload as the reassembler builds it from many frames. */
    private static Payload reassembled(String message, int limit) {
        Reassembler reassembler = new Reassembler(ReassemblerOptions.defaults());
        List<Outcome> outcomes = Fixtures.feed(reassembler, new FrameEncoder(limit).encode("p", message));
        return ((Outcome.Complete) outcomes.get(outcomes.size() - 1)).payload();
    }

    private static List<Payload> samples() {
        return List.of(segmented(), Payload.of(TEXT), reassembled(TEXT, 64));
    }

    @Test
    void wholeContentIsTheSameHoweverItIsHeld() {
        for (Payload payload : samples()) {
            assertThat(payload.size()).isEqualTo(utf8(TEXT).length);
            assertThat(payload.isEmpty()).isFalse();
            assertThat(payload.asString()).isEqualTo(TEXT);
            assertThat(payload.toByteArray()).isEqualTo(utf8(TEXT));
            assertThat(payload.contentEquals(Payload.of(TEXT))).isTrue();
        }
    }

    @Test
    void asStringOfEveryRangeMatchesTheBytes() {
        byte[] bytes = utf8(TEXT);
        for (Payload payload : samples()) {
            for (int from = 0; from <= bytes.length; from++) {
                for (int to = from; to <= bytes.length; to++) {
                    String expected = new String(bytes, from, to - from, StandardCharsets.UTF_8);
                    assertThat(payload.asString(from, to)).as("[%d, %d)", from, to).isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void asStringAcrossFrameBoundariesOfALargeMessage() {
        String message = Fixtures.randomTextOfBytes(new Random(5), 20_000);
        byte[] bytes = utf8(message);
        Payload payload = reassembled(message, 64);
        for (int from = 0; from < bytes.length; from += 97) {
            int to = Math.min(bytes.length, from + 7 + from % 500);
            assertThat(payload.asString(from, to)).isEqualTo(new String(bytes, from, to - from, StandardCharsets.UTF_8));
        }
        assertThat(payload.asString(0, bytes.length)).isEqualTo(message);
    }

    @Test
    void asStringRejectsRangesOutsideThePayload() {
        Payload payload = segmented();
        int size = payload.size();
        assertThatThrownBy(() -> payload.asString(-1, 2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> payload.asString(3, 2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> payload.asString(0, size + 1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> payload.asString(size + 1, size + 1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(payload.asString(size, size)).isEmpty();
    }

    @Test
    void openStreamReadsEveryByteOneAtATime() throws IOException {
        for (Payload payload : samples()) {
            InputStream in = payload.openStream();
            byte[] read = new byte[payload.size()];
            for (int i = 0; i < read.length; i++) {
                int b = in.read();
                assertThat(b).isBetween(0, 255);
                read[i] = (byte) b;
            }
            assertThat(in.read()).isEqualTo(-1);
            assertThat(in.read()).isEqualTo(-1);
            assertThat(read).isEqualTo(utf8(TEXT));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5, 8, 13, 64, 1024})
    void openStreamReadsInChunks(int chunk) throws IOException {
        for (Payload payload : samples()) {
            InputStream in = payload.openStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[chunk + 4];
            int n;
            while ((n = in.read(buffer, 2, chunk)) != -1) {
                assertThat(n).isBetween(1, chunk);
                out.write(buffer, 2, n);
            }
            assertThat(out.toByteArray()).isEqualTo(utf8(TEXT));
            assertThat(in.read(buffer, 0, 1)).isEqualTo(-1);
        }
    }

    @Test
    void openStreamHonoursTheInputStreamContract() throws IOException {
        Payload payload = segmented();
        InputStream in = payload.openStream();
        assertThat(in.read(new byte[4], 0, 0)).isZero();
        assertThatThrownBy(() -> in.read(new byte[4], 3, 2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(in.readAllBytes()).isEqualTo(utf8(TEXT));
        assertThat(payload.openStream().readAllBytes()).as("each stream starts afresh").isEqualTo(utf8(TEXT));
    }

    @Test
    void writeToWritesExactlyTheBytes() throws IOException {
        for (Payload payload : samples()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write('>');
            payload.writeTo(out);
            assertThat(out.toByteArray()).isEqualTo(utf8(">" + TEXT));
        }
    }

    @Test
    void toByteArrayIsACopy() {
        Payload payload = reassembled(TEXT, 64);
        byte[] copy = payload.toByteArray();
        Arrays.fill(copy, (byte) 'x');
        assertThat(payload.asString()).isEqualTo(TEXT);
    }

    @Test
    void ofCopiesItsInput() {
        byte[] bytes = utf8(TEXT);
        Payload payload = Payload.of(bytes);
        Arrays.fill(bytes, (byte) 'x');
        assertThat(payload.asString()).isEqualTo(TEXT);
    }

    @Test
    void emptyPayloadsBehaveAlike() throws IOException {
        Payload reassembledEmpty = ((Outcome.Complete) new Reassembler(ReassemblerOptions.defaults()).accept("B1=e:")).payload();
        Payload splitEmpty = new Payload(new byte[][] {"B1<e:0:".getBytes(StandardCharsets.US_ASCII)}, new int[] {7}, 0);
        for (Payload empty : List.of(Payload.of(""), Payload.of(new byte[0]), reassembledEmpty, splitEmpty)) {
            assertThat(empty.size()).isZero();
            assertThat(empty.isEmpty()).isTrue();
            assertThat(empty.asString()).isEmpty();
            assertThat(empty.asString(0, 0)).isEmpty();
            assertThat(empty.toByteArray()).isEmpty();
            assertThat(empty.openStream().read()).isEqualTo(-1);
            assertThat(empty.openStream().read(new byte[8], 0, 8)).isEqualTo(-1);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            empty.writeTo(out);
            assertThat(out.size()).isZero();
            assertThat(empty.contentEquals(Payload.of(""))).isTrue();
            assertThatThrownBy(() -> empty.asString(0, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @Test
    void contentEqualsComparesBytes() {
        assertThat(Payload.of("abc").contentEquals(Payload.of("abd"))).isFalse();
        assertThat(Payload.of("abc").contentEquals(Payload.of("ab"))).isFalse();
        assertThat(reassembled(TEXT.repeat(10), 64).contentEquals(Payload.of(TEXT.repeat(10)))).isTrue();
    }

    @Test
    void toStringShowsTheSizeButNeverTheContent() {
        Payload payload = Payload.of("S3CR3T-token");
        assertThat(payload.toString()).isEqualTo("Payload[12 bytes]");
        assertThat(new Outcome.Complete("a", payload, 1).toString()).doesNotContain("S3CR3T");
    }

    @Test
    void aSingleFramePayloadIsTheFramesBodyWithoutACopy() throws IOException {
        String body = "aé€😀z";
        Payload p = new Payload("B1=7:" + body, 5);

        assertThat(p.size()).isEqualTo(body.getBytes(StandardCharsets.UTF_8).length).isEqualTo(11);
        assertThat(p.asString()).isEqualTo(body);
        assertThat(p.toByteArray()).isEqualTo(body.getBytes(StandardCharsets.UTF_8));
        assertThat(p.asString(1, 6)).isEqualTo("é€");
        assertThat(p.openStream().readAllBytes()).isEqualTo(body.getBytes(StandardCharsets.UTF_8));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        p.writeTo(out);
        assertThat(out.toByteArray()).isEqualTo(body.getBytes(StandardCharsets.UTF_8));
        assertThat(p.contentEquals(Payload.of(body))).isTrue();
        assertThat(p.isEmpty()).isFalse();
        assertThat(new Payload("B1=7:", 5).isEmpty()).isTrue();
        assertThat(new Payload("B1=7:", 5).size()).isZero();
        assertThat(p.toString()).isEqualTo("Payload[11 bytes]");
    }

    @Test
    void utf8LengthMatchesTheEncoder() {
        for (String s : new String[] {"", "abc", "é", "€", "😀", "a😀b", "\uD83D", "x\uDE00y", "\uD83D\uD83D\uDE00"}) {
            assertThat(Payload.utf8Length(s, 0)).as(s).isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
        }
    }
}
