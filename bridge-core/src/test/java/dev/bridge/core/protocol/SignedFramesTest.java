package dev.bridge.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bridge.core.protocol.Fixtures.FakeClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Version-2 frames: signed per frame, so forged frames cannot touch a message and genuine repeats cannot break one. */
class SignedFramesTest {

    private static final FrameKey KEY = FrameKey.of("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
    private static final FrameKey OTHER_KEY = FrameKey.of("fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII));

    private final FakeClock clock = new FakeClock();
    private final List<Outcome.Rejected> drops = new ArrayList<>();

    private Reassembler signedReader(ReassemblerOptions options) {
        return new Reassembler(options, KEY, drops::add, clock);
    }

    private Reassembler signedReader() {
        return signedReader(ReassemblerOptions.defaults());
    }

    private static List<String> signed(String id, String message, int limit) {
        return FrameEncoder.signed(KEY, limit).encode(id, message);
    }

    private static String text(int bytes) {
        return Fixtures.randomTextOfBytes(new Random(bytes), bytes);
    }

    private static Outcome.Complete complete(Outcome outcome) {
        assertThat(outcome).isInstanceOf(Outcome.Complete.class);
        return (Outcome.Complete) outcome;
    }

    private static RejectReason reason(Outcome outcome) {
        assertThat(outcome).isInstanceOf(Outcome.Rejected.class);
        return ((Outcome.Rejected) outcome).reason();
    }

    private static List<Outcome> feed(Reassembler r, List<String> frames) {
        List<Outcome> outcomes = new ArrayList<>();
        for (String f : frames) {
            outcomes.add(r.accept(f));
        }
        return outcomes;
    }

    @Test
    void signedMessagesOfEverySizeRoundTripAsVersionTwo() {
        Reassembler r = signedReader();
        for (int size : new int[] {0, 1, 94, 95, 96, 500, 7_999, 20_000}) {
            String message = text(size);
            List<String> frames = signed("m" + size, message, 128);
            frames.forEach(f -> assertThat(f.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(128));
            List<Outcome> outcomes = feed(r, frames);
            Outcome.Complete done = complete(outcomes.get(outcomes.size() - 1));
            assertThat(done.version()).isEqualTo(2);
            assertThat(done.messageId()).isEqualTo("m" + size);
            assertThat(done.payload().asString()).isEqualTo(message);
        }
        assertThat(r.stats().rejectedTotal()).isZero();
    }

    @Test
    void aReplayedStartIsRefusedBeforeItReservesAnythingSoGenuineMessagesInFlightStay() {
        Reassembler r = signedReader();
        List<String> old = signed("1f", "41:" + text(5_000), 1_000);
        r.refuseReplays((txid, id) -> txid == 41 && id.equals("1f"));
        List<String> genuine = signed("20", "42:" + text(5_000), 1_000);
        assertThat(r.accept(genuine.get(0))).isInstanceOf(Outcome.Pending.class);
        long reserved = r.stats().bufferedBytes();

        assertThat(reason(r.accept(old.get(0)))).isEqualTo(RejectReason.REPLAYED);
        assertThat(r.stats().bufferedBytes()).isEqualTo(reserved);
        assertThat(r.stats().inFlight()).isEqualTo(1);
        Outcome last = null;
        for (String f : genuine.subList(1, genuine.size())) {
            last = r.accept(f);
        }
        assertThat(complete(last).payload().asString()).startsWith("42:");
    }

    @Test
    void anyChangeToASignedFrameMakesItForged() {
        String frame = signed("a1", "{\"op\":\"INSERT\"}", 7999).get(0);
        int tagStart = frame.indexOf(':') + 1;
        List<String> tampered = List.of(
                frame.replace("INSERT", "DELETE"),
                frame.substring(0, frame.length() - 1),
                frame + " ",
                frame.replace("B2=a1:", "B2=a2:"),
                frame.substring(0, tagStart) + (frame.charAt(tagStart) == '0' ? '1' : '0') + frame.substring(tagStart + 1));
        Reassembler r = signedReader();
        for (String t : tampered) {
            assertThat(reason(r.accept(t))).as(t).isEqualTo(RejectReason.FORGED);
        }
        assertThat(reason(new Reassembler(ReassemblerOptions.defaults(), OTHER_KEY, d -> { }).accept(frame)))
                .as("another key").isEqualTo(RejectReason.FORGED);
        assertThat(reason(new Reassembler(ReassemblerOptions.defaults()).accept(frame)))
                .as("a reader without a key cannot verify it").isEqualTo(RejectReason.FORGED);
        assertThat(complete(r.accept(frame)).payload().asString()).isEqualTo("{\"op\":\"INSERT\"}");
    }

    @Test
    void forgedFramesNeverDisturbAGenuineMessageInFlight() {
        Reassembler r = signedReader();
        List<String> real = signed("7f", text(600), 128);
        List<String> forged = FrameEncoder.signed(OTHER_KEY, 128).encode("7f", text(601));
        List<Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < real.size(); i++) {
            // Before each real frame: a forged start, a forged continuation at the expected index, an unsigned frame.
            outcomes.add(r.accept(forged.get(0)));
            outcomes.add(r.accept(forged.get(Math.min(i, forged.size() - 1))));
            outcomes.add(r.accept("B1<7f:3:abc"));
            outcomes.add(r.accept(real.get(i)));
        }
        assertThat(complete(outcomes.get(outcomes.size() - 1)).payload().asString()).isEqualTo(text(600));
        assertThat(r.stats().rejected(RejectReason.FORGED)).isEqualTo(2L * real.size());
        assertThat(r.stats().rejected(RejectReason.UNSIGNED)).isEqualTo(real.size());
        assertThat(drops).isEmpty();
    }

    @Test
    void genuineFramesRepeatedOrOutOfPlaceAreIgnoredAndTheMessageCompletes() {
        Reassembler r = signedReader();
        List<String> f = signed("1a", text(700), 128);
        assertThat(f).hasSizeGreaterThan(4);
        assertThat(r.accept(f.get(0))).isEqualTo(new Outcome.Pending("1a"));
        assertThat(reason(r.accept(f.get(0)))).as("a second start").isEqualTo(RejectReason.REPLAYED);
        assertThat(r.accept(f.get(1))).isEqualTo(new Outcome.Pending("1a"));
        assertThat(reason(r.accept(f.get(1)))).as("a repeat").isEqualTo(RejectReason.REPLAYED);
        assertThat(reason(r.accept(f.get(3)))).as("an early frame").isEqualTo(RejectReason.REPLAYED);
        assertThat(reason(r.accept(f.get(f.size() - 1)))).as("an early end").isEqualTo(RejectReason.REPLAYED);
        List<Outcome> rest = feed(r, f.subList(2, f.size()));
        assertThat(complete(rest.get(rest.size() - 1)).payload().asString()).isEqualTo(text(700));
        assertThat(r.stats().rejected(RejectReason.REPLAYED)).isEqualTo(4);
        assertThat(r.stats().inFlight()).isZero();
        assertThat(drops).isEmpty();
    }

    @Test
    void unsignedFramesAreReadOnlyWhenAllowed() {
        List<String> v1 = new FrameEncoder(64).encode("b", text(200));
        Reassembler strict = signedReader();
        feed(strict, v1).forEach(o -> assertThat(reason(o)).isEqualTo(RejectReason.UNSIGNED));
        assertThat(strict.stats().inFlight()).isZero();

        List<Outcome> allowed = feed(signedReader(ReassemblerOptions.defaults().withUnsignedFrames(true)), v1);
        Outcome.Complete done = complete(allowed.get(allowed.size() - 1));
        assertThat(done.version()).isEqualTo(1);
        assertThat(done.payload().asString()).isEqualTo(text(200));
    }

    @Test
    void unsignedAndSignedMessagesWithOneIdAreKeptApart() {
        Reassembler r = signedReader(ReassemblerOptions.defaults().withUnsignedFrames(true));
        List<String> unsigned = new FrameEncoder(64).encode("c", text(150));
        List<String> genuine = signed("c", text(300), 128);
        List<Outcome> outcomes = new ArrayList<>();
        outcomes.add(r.accept(genuine.get(0)));
        outcomes.addAll(feed(r, unsigned));
        outcomes.addAll(feed(r, genuine.subList(1, genuine.size())));
        assertThat(outcomes.stream().filter(o -> o instanceof Outcome.Complete).map(o -> ((Outcome.Complete) o).version()))
                .containsExactly(1, 2);
        assertThat(r.stats().rejectedTotal()).isZero();
    }

    @Test
    void legacyFramesAreReadBesideSignedOnesWhenAllowed() {
        Reassembler r = signedReader(ReassemblerOptions.defaults().withLegacyFrames(true));
        String row = "123e4567-e89b-12d3-a456-426614174000";
        Outcome legacy = feed(r, List.of(row + "0:{\"op\":\"INSERT\"}", row + "EOF")).get(1);
        assertThat(complete(legacy).version()).isEqualTo(Outcome.LEGACY);
        assertThat(complete(r.accept(signed("d", "{}", 7999).get(0))).version()).isEqualTo(2);
    }

    @Test
    void signedFramesNeedRoomForTheirTag() {
        assertThatThrownBy(() -> FrameEncoder.signed(KEY, 127)).hasMessageContaining("between 128 and 7999");
        assertThatThrownBy(() -> FrameKey.of(new byte[15])).hasMessageContaining("at least 16 bytes");
        assertThat(KEY.toString()).doesNotContain("0123456789abcdef");
        String longest = FrameEncoder.signed(KEY, 128).encode("Z".repeat(32), "é".repeat(2_000_000)).get(0);
        assertThat(longest.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(128);
    }

    @Test
    void malformedTagsAreMalformed() {
        Reassembler r = signedReader();
        for (String frame : List.of("B2=a:", "B2=a:abc:x", "B2=a:" + "G".repeat(32) + ":x", "B2=a:" + "A".repeat(32) + ":x",
                "B2<a:3:" + "0".repeat(31) + ":abc")) {
            assertThat(reason(r.accept(frame))).as(frame).isEqualTo(RejectReason.MALFORMED);
        }
    }

    /**
     * Any mix of genuine messages (some frames sent twice, others' frames interleaved) and forged
     * frames: each genuine message completes exactly once with its own content, nothing else does.
     */
    @Property(tries = 200)
    void onlyGenuineMessagesCompleteWhateverIsMixedIn(
            @ForAll @IntRange(min = 1, max = 8) int messages,
            @ForAll @IntRange(min = 0, max = 40) int forgeries,
            @ForAll Random random) {
        Reassembler r = new Reassembler(ReassemblerOptions.defaults(), KEY, d -> { }, new FakeClock());
        Map<String, String> sent = new LinkedHashMap<>();
        List<List<String>> streams = new ArrayList<>();
        for (int i = 0; i < messages; i++) {
            String id = "g" + i;
            String message = Fixtures.randomTextOfBytes(random, random.nextInt(1_500));
            sent.put(id, message);
            streams.add(new ArrayList<>(signed(id, message, 128 + random.nextInt(300))));
        }
        List<String> wire = new ArrayList<>();
        int[] next = new int[messages];
        int remaining = streams.stream().mapToInt(List::size).sum();
        while (remaining > 0) {
            int m = random.nextInt(messages);
            if (next[m] == streams.get(m).size()) {
                continue;
            }
            String frame = streams.get(m).get(next[m]++);
            remaining--;
            wire.add(frame);
            if (random.nextInt(4) == 0) {
                wire.add(frame);
            }
            if (forgeries > 0 && random.nextInt(3) == 0) {
                forgeries--;
                wire.add(forge(random, frame));
            }
        }
        Map<String, String> completed = new HashMap<>();
        for (String frame : wire) {
            if (r.accept(frame) instanceof Outcome.Complete c) {
                assertThat(completed.put(c.messageId(), c.payload().asString())).as("completed twice").isNull();
            }
        }
        assertThat(completed).isEqualTo(sent);
    }

    /** A frame like {@code genuine} that was not signed with the key: changed body, other key, or a guessed tag. */
    private static String forge(Random random, String genuine) {
        int tagStart = genuine.indexOf(':', genuine.indexOf(':') + 1) + 1;
        if (genuine.charAt(2) == '=') {
            tagStart = genuine.indexOf(':') + 1;
        }
        return switch (random.nextInt(3)) {
            case 0 -> genuine.substring(0, tagStart + FrameKey.TAG_LENGTH + 1) + "x" + genuine.substring(tagStart + FrameKey.TAG_LENGTH + 1);
            case 1 -> genuine.substring(0, tagStart) + "0".repeat(FrameKey.TAG_LENGTH) + genuine.substring(tagStart + FrameKey.TAG_LENGTH);
            default -> FrameEncoder.signed(OTHER_KEY, 7999).encode(genuine.substring(3, genuine.indexOf(':')), "forged").get(0);
        };
    }

    @Test
    void signedMessagesInFlightExpireLikeAnyOther() {
        Reassembler r = signedReader(ReassemblerOptions.defaults().withExpireAfter(Duration.ofSeconds(5)));
        List<String> f = signed("e", text(400), 128);
        r.accept(f.get(0));
        clock.advance(Duration.ofSeconds(6));
        r.expire();
        assertThat(drops).extracting(Outcome.Rejected::reason).containsExactly(RejectReason.EXPIRED);
        assertThat(reason(r.accept(f.get(1)))).isEqualTo(RejectReason.DISCARDED);
    }
}
