package dev.bridge.core.protocol;

import static dev.bridge.core.protocol.Fixtures.feed;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bridge.core.protocol.Fixtures.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The original design's frames, read in legacy mode (docs/protocol.md §3). */
class LegacyFramesTest {

    private static final String ROW = "0f8fad5b-d9cb-469f-a165-70867728950e";
    private static final String OTHER_ROW = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
    private static final int CHUNK = 1000;

    private final FakeClock clock = new FakeClock();
    private final List<Outcome.Rejected> drops = new ArrayList<>();

    /**
     * What the original trigger sends (bridge-postgres's LegacyTriggerIT runs the trigger itself):
     * for counter = 0, 1000, … up to the message's length in characters, {@code substr(text, counter,
     * 1000)} — so 999 characters first, and each later chunk labelled one past the characters before
     * it — then EOF.
     */
    static List<String> legacyFrames(String id36, String message) {
        assertThat(id36).hasSize(36);
        int[] codePoints = message.codePoints().toArray();
        List<String> frames = new ArrayList<>();
        for (int counter = 0; counter <= codePoints.length; counter += CHUNK) {
            // substr's positions count from 1, and a start below 1 shortens the count by as much.
            int from = Math.max(counter, 1) - 1;
            int to = Math.min(counter + CHUNK - 1, codePoints.length);
            frames.add(id36 + counter + ":" + new String(codePoints, from, to - from));
        }
        frames.add(id36 + "EOF");
        return frames;
    }

    /** A writer that labels each chunk with its true character offset, as docs/protocol.md §3 describes. */
    static List<String> exactOffsetFrames(String id36, String message) {
        int[] codePoints = message.codePoints().toArray();
        List<String> frames = new ArrayList<>();
        int offset = 0;
        do {
            int n = Math.min(CHUNK, codePoints.length - offset);
            frames.add(id36 + offset + ":" + new String(codePoints, offset, n));
            offset += n;
        } while (offset < codePoints.length);
        frames.add(id36 + "EOF");
        return frames;
    }

    private static String text(int codePoints, long seed) {
        return Fixtures.randomText(new Random(seed), codePoints);
    }

    /** Text cycling through 1-, 2-, 3- and 4-byte characters, so every chunk holds each width. */
    private static String mixed(int codePoints) {
        int[] cycle = {'a', 'é', '€', 0x1F600, ':', 0x1D11E, '9'};
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < codePoints; i++) {
            text.appendCodePoint(cycle[i % cycle.length]);
        }
        return text.toString();
    }

    private Reassembler legacyReassembler() {
        return new Reassembler(ReassemblerOptions.defaults().withLegacyFrames(true), null, drops::add, clock);
    }

    private static void assertComplete(Outcome outcome, String id, String message) {
        assertThat(outcome).isInstanceOf(Outcome.Complete.class);
        assertThat(((Outcome.Complete) outcome).messageId()).isEqualTo(id);
        assertThat(((Outcome.Complete) outcome).payload().asString()).isEqualTo(message);
    }

    private static void assertRejected(Outcome outcome, RejectReason reason, String id) {
        assertThat(outcome).isInstanceOf(Outcome.Rejected.class);
        assertThat(((Outcome.Rejected) outcome).reason()).isEqualTo(reason);
        assertThat(((Outcome.Rejected) outcome).messageId()).isEqualTo(id);
    }

    @Test
    void theOriginalTriggersChunksAreCountedInCodePointsAndOffByOne() {
        String emoji = "😀".repeat(1500);
        assertThat(legacyFrames(ROW, emoji)).containsExactly(
                ROW + "0:" + "😀".repeat(999), ROW + "1000:" + "😀".repeat(501), ROW + "EOF");
        assertThat(exactOffsetFrames(ROW, emoji)).containsExactly(
                ROW + "0:" + "😀".repeat(1000), ROW + "1000:" + "😀".repeat(500), ROW + "EOF");
    }

    @ParameterizedTest(name = "{0} code points")
    @ValueSource(ints = {1, 999, 1000, 1001, 1999, 2000, 2001, 4321})
    void messagesLabelledWithTheirTrueOffsetsAreReadToo(int codePoints) {
        String message = mixed(codePoints);
        List<String> frames = exactOffsetFrames(ROW, message);
        assertComplete(feed(legacyReassembler(), frames).get(frames.size() - 1), ROW, message);
    }

    @Test
    void shortChangeRoundTrips() {
        Reassembler r = legacyReassembler();
        String change = "{\"op\":\"UPDATE\",\"bucket\":\"orders\",\"id\":\"" + ROW + "\",\"val\":{\"s\":\"paid\"},\"old\":null}";
        List<Outcome> outcomes = feed(r, legacyFrames(ROW, change));
        assertThat(outcomes.get(0)).isEqualTo(new Outcome.Pending(ROW));
        assertComplete(outcomes.get(1), ROW, change);
        assertThat(r.stats().completed()).isEqualTo(1);
        assertThat(r.stats().pending()).isEqualTo(1);
        assertThat(r.stats().inFlight()).isZero();
        assertThat(r.stats().bufferedBytes()).isZero();
    }

    @ParameterizedTest(name = "{0} code points")
    @ValueSource(ints = {1, 999, 1000, 1001, 1999, 2000, 2001, 4321})
    void mixedWidthMessagesRoundTripAroundChunkBoundaries(int codePoints) {
        Reassembler r = legacyReassembler();
        String message = mixed(codePoints);
        assertThat(message.codePointCount(0, message.length())).isEqualTo(codePoints);
        List<String> frames = legacyFrames(ROW, message);
        assertThat(frames).hasSize(codePoints / CHUNK + 2);
        List<Outcome> outcomes = feed(r, frames);
        assertThat(outcomes.subList(0, frames.size() - 1)).allSatisfy(o -> assertThat(o).isEqualTo(new Outcome.Pending(ROW)));
        assertComplete(outcomes.get(frames.size() - 1), ROW, message);
        assertThat(r.stats().rejectedTotal()).isZero();
    }

    @Test
    void supplementaryCharactersCountOnceEach() {
        Reassembler r = legacyReassembler();
        String message = "😀".repeat(1000) + "𝄞é€";
        assertComplete(feed(r, legacyFrames(ROW, message)).get(2), ROW, message);
    }

    @Test
    void counterInUtf16UnitsIsOutOfOrder() {
        Reassembler r = legacyReassembler();
        r.accept(ROW + "0:" + "😀".repeat(999));
        assertRejected(r.accept(ROW + "1998:" + "😀"), RejectReason.OUT_OF_ORDER, ROW);
    }

    @Test
    void aMessageKeepsTheLabellingItStartedWith() {
        Reassembler r = legacyReassembler();
        feed(r, List.of(ROW + "0:" + "x".repeat(999), ROW + "1000:" + "y".repeat(1000)));
        assertRejected(r.accept(ROW + "1999:" + "z"), RejectReason.DUPLICATE, ROW);
    }

    @Test
    void legacyFramesAreForeignWhenLegacyModeIsOff() {
        Reassembler r = new Reassembler(ReassemblerOptions.defaults(), null, drops::add, clock);
        List<String> frames = legacyFrames(ROW, text(2500, 7));
        for (String frame : frames) {
            assertRejected(r.accept(frame), RejectReason.FOREIGN, null);
        }
        assertThat(r.stats().rejected(RejectReason.FOREIGN)).isEqualTo(frames.size());
        assertThat(r.stats().inFlight()).isZero();
    }

    @Test
    void legacyModeIsOffByDefault() {
        assertThat(ReassemblerOptions.defaults().legacyFrames()).isFalse();
    }

    @Test
    void missingChunkIsOutOfOrderAndTheRestIsDiscarded() {
        Reassembler r = legacyReassembler();
        List<String> frames = legacyFrames(ROW, text(2500, 1));
        r.accept(frames.get(0));
        assertRejected(r.accept(frames.get(2)), RejectReason.OUT_OF_ORDER, ROW);
        assertRejected(r.accept(frames.get(3)), RejectReason.DISCARDED, ROW);
        assertThat(r.stats().inFlight()).isZero();
        assertThat(r.stats().bufferedBytes()).isZero();
    }

    @Test
    void repeatedChunkIsDuplicate() {
        Reassembler r = legacyReassembler();
        List<String> frames = legacyFrames(ROW, text(2500, 2));
        feed(r, frames.subList(0, 2));
        assertRejected(r.accept(frames.get(1)), RejectReason.DUPLICATE, ROW);
        assertRejected(r.accept(frames.get(2)), RejectReason.DISCARDED, ROW);
        assertRejected(r.accept(frames.get(3)), RejectReason.DISCARDED, ROW);
    }

    @Test
    void shortChunkIsCaughtByTheNextCounter() {
        Reassembler r = legacyReassembler();
        List<String> frames = legacyFrames(ROW, "x".repeat(2500));
        r.accept(frames.get(0).substring(0, frames.get(0).length() - 1));
        assertRejected(r.accept(frames.get(1)), RejectReason.OUT_OF_ORDER, ROW);
    }

    @Test
    void endWithoutStartIsOrphan() {
        Reassembler r = legacyReassembler();
        assertRejected(r.accept(ROW + "EOF"), RejectReason.ORPHAN, ROW);
        assertRejected(r.accept(ROW + "1000:" + "x".repeat(10)), RejectReason.ORPHAN, ROW);
        assertThat(r.stats().rejected(RejectReason.ORPHAN)).isEqualTo(2);
    }

    @Test
    void endOfACompletedMessageIsOrphan() {
        Reassembler r = legacyReassembler();
        feed(r, legacyFrames(ROW, "{}"));
        assertRejected(r.accept(ROW + "EOF"), RejectReason.ORPHAN, ROW);
    }

    @Test
    void successiveChangesOfOneRowBothComplete() {
        Reassembler r = legacyReassembler();
        String first = text(1500, 3);
        String second = text(1200, 4);
        assertComplete(feed(r, legacyFrames(ROW, first)).get(2), ROW, first);
        assertComplete(feed(r, legacyFrames(ROW, second)).get(2), ROW, second);
    }

    /** Every way to shuffle two frame lists together, each keeping its own order. */
    private static List<List<String>> interleavings(List<String> a, List<String> b) {
        List<List<String>> all = new ArrayList<>();
        interleave(a, 0, b, 0, new ArrayList<>(), all);
        return all;
    }

    private static void interleave(List<String> a, int i, List<String> b, int j, List<String> prefix, List<List<String>> all) {
        if (i == a.size() && j == b.size()) {
            all.add(new ArrayList<>(prefix));
            return;
        }
        if (i < a.size()) {
            prefix.add(a.get(i));
            interleave(a, i + 1, b, j, prefix, all);
            prefix.remove(prefix.size() - 1);
        }
        if (j < b.size()) {
            prefix.add(b.get(j));
            interleave(a, i, b, j + 1, prefix, all);
            prefix.remove(prefix.size() - 1);
        }
    }

    @ParameterizedTest(name = "{0} and {1} code points")
    @CsvSource({"50, 70", "1000, 1000", "1500, 1000", "1000, 1500", "2500, 1000", "1500, 2200", "2000, 3000"})
    void twoChangesOfOneRowInOneTransactionShareOneEndAndTheNextChangeOfTheRowIsStillRead(int lengthA, int lengthB) {
        String a = "A".repeat(lengthA);
        String b = "B".repeat(lengthB);
        String later = "C".repeat(1200);
        List<String> framesA = legacyFrames(ROW, a);
        List<String> framesB = legacyFrames(ROW, b);
        // PostgreSQL folds the two identical ends of one transaction into the first: B never ends.
        List<String> stream = new ArrayList<>(framesA);
        stream.addAll(framesB.subList(0, framesB.size() - 1));
        stream.addAll(legacyFrames(ROW, later));
        Reassembler r = legacyReassembler();
        List<String> completed = new ArrayList<>();
        for (Outcome outcome : feed(r, stream)) {
            if (outcome instanceof Outcome.Complete c) {
                completed.add(c.payload().asString());
            }
        }
        assertThat(completed).containsExactly(a, later);
        assertThat(drops).singleElement().satisfies(d -> {
            assertThat(d.reason()).isEqualTo(RejectReason.INTERRUPTED);
            assertThat(d.messageId()).isEqualTo(ROW);
            assertThat(d.detail()).contains("share one end");
        });
        assertThat(r.stats().inFlight()).isZero();
    }

    @Test
    void changeAfterALostEndIsReadAndTheUnfinishedOneIsCounted() {
        Reassembler r = legacyReassembler();
        List<String> lost = legacyFrames(ROW, "A".repeat(1200));
        String next = "B".repeat(1200);
        feed(r, lost.subList(0, 2));
        assertComplete(feed(r, legacyFrames(ROW, next)).get(2), ROW, next);
        assertThat(r.stats().rejected(RejectReason.INTERRUPTED)).isEqualTo(1);
    }

    @Test
    void anEndAloneSaysWhatItMayMean() {
        Outcome alone = legacyReassembler().accept(ROW + "EOF");
        assertRejected(alone, RejectReason.ORPHAN, ROW);
        assertThat(((Outcome.Rejected) alone).detail()).contains("val is NULL");
    }

    private static String describe(List<String> stream) {
        List<String> headers = new ArrayList<>();
        for (String frame : stream) {
            int colon = frame.indexOf(':', 36);
            String counter = colon < 0 ? "EOF" : frame.substring(36, colon);
            headers.add(colon < 0 ? "EOF" : frame.charAt(colon + 1) + counter);
        }
        return headers.toString();
    }

    @Test
    void differentRowsInterleavedBothComplete() {
        Reassembler r = legacyReassembler();
        String a = text(2100, 5);
        String b = text(1700, 6);
        List<String> framesA = legacyFrames(ROW, a);
        List<String> framesB = legacyFrames(OTHER_ROW, b);
        List<String> completed = new ArrayList<>();
        for (int i = 0; i < Math.max(framesA.size(), framesB.size()); i++) {
            for (List<String> frames : List.of(framesA, framesB)) {
                if (i < frames.size() && r.accept(frames.get(i)) instanceof Outcome.Complete c) {
                    completed.add(c.messageId() + "=" + c.payload().asString());
                }
            }
        }
        assertThat(completed).containsExactlyInAnyOrder(ROW + "=" + a, OTHER_ROW + "=" + b);
    }

    @Test
    void legacyAndVersionOneFramesCoexist() {
        Reassembler r = legacyReassembler();
        String legacy = text(1800, 8);
        String v1 = text(300, 9);
        List<String> legacyFrames = legacyFrames(ROW, legacy);
        List<String> v1Frames = new FrameEncoder(64).encode("4d2", v1);
        List<Outcome> outcomes = new ArrayList<>();
        outcomes.add(r.accept(legacyFrames.get(0)));
        outcomes.addAll(feed(r, v1Frames));
        outcomes.addAll(feed(r, legacyFrames.subList(1, legacyFrames.size())));
        assertThat(outcomes.stream().filter(o -> o instanceof Outcome.Complete).map(o -> (Outcome.Complete) o)
                .map(c -> c.messageId() + "=" + c.payload().asString()))
                .containsExactly("4d2=" + v1, ROW + "=" + legacy);
        assertThat(r.stats().rejectedTotal()).isZero();
    }

    @Test
    void legacyMessageOverTheLimitIsTooLarge() {
        Reassembler r = new Reassembler(
                ReassemblerOptions.defaults().withLegacyFrames(true).withMaxMessageBytes(1500), null, drops::add, clock);
        List<String> frames = legacyFrames(ROW, "x".repeat(1501));
        assertThat(r.accept(frames.get(0))).isEqualTo(new Outcome.Pending(ROW));
        assertRejected(r.accept(frames.get(1)), RejectReason.TOO_LARGE, ROW);
        assertRejected(r.accept(frames.get(2)), RejectReason.DISCARDED, ROW);
        assertThat(r.stats().bufferedBytes()).isZero();

        assertComplete(feed(r, legacyFrames(ROW, "x".repeat(1500))).get(2), ROW, "x".repeat(1500));
    }

    @Test
    void legacyMessagesCountTheirBytesAsTheyArriveAndAreEvictedByThem() {
        Reassembler r = new Reassembler(new ReassemblerOptions(3000, 10, 3999, Duration.ofSeconds(60), true, false), null, drops::add, clock);
        List<String> a = exactOffsetFrames(ROW, "é".repeat(1500));
        List<String> b = exactOffsetFrames(OTHER_ROW, "x".repeat(2500));
        r.accept(a.get(0));
        assertThat(r.stats().bufferedBytes()).isEqualTo(2000);
        r.accept(b.get(0));
        assertThat(r.stats().bufferedBytes()).isEqualTo(3000);
        r.accept(b.get(1));
        assertThat(drops).singleElement().satisfies(d -> {
            assertThat(d.reason()).isEqualTo(RejectReason.EVICTED);
            assertThat(d.messageId()).isEqualTo(ROW);
        });
        assertThat(r.stats().bufferedBytes()).isEqualTo(2000);
        r.accept(b.get(2));
        assertThat(r.stats().bufferedBytes()).isEqualTo(2500);
        assertComplete(r.accept(b.get(3)), OTHER_ROW, "x".repeat(2500));
        assertThat(r.stats().bufferedBytes()).isZero();
    }

    @Test
    void legacyMessageThatNeverEndsExpires() {
        Reassembler r = legacyReassembler();
        List<String> frames = legacyFrames(ROW, "x".repeat(1500));
        r.accept(frames.get(0));
        clock.advance(Duration.ofSeconds(60));
        r.expire();
        assertThat(drops).singleElement().extracting(Outcome.Rejected::reason).isEqualTo(RejectReason.EXPIRED);
        assertRejected(r.accept(frames.get(1)), RejectReason.DISCARDED, ROW);
        assertRejected(r.accept(frames.get(2)), RejectReason.DISCARDED, ROW);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0f8fad5b-d9cb-469f-a165-70867728950e12", "0f8fad5b-d9cb-469f-a165-70867728950eEOFx",
            "0f8fad5b-d9cb-469f-a165-70867728950e", "short0:x", "0f8fad5b-d9cb-469f-a165-70867728950e-1:x"})
    void framesThatOnlyResembleLegacyOnesAreForeign(String frame) {
        assertRejected(legacyReassembler().accept(frame), RejectReason.FOREIGN, null);
    }

    @Test
    void legacyRejectionsNeverRevealChunks() {
        Reassembler r = legacyReassembler();
        String secret = "S3CR3T-legacy-".repeat(100);
        List<String> frames = legacyFrames(ROW, secret + secret);
        List<Outcome> outcomes = feed(r, List.of(frames.get(1), frames.get(0), frames.get(2), frames.get(1), frames.get(3)));
        assertThat(outcomes).filteredOn(o -> o instanceof Outcome.Rejected).hasSize(4)
                .allSatisfy(o -> assertThat(((Outcome.Rejected) o).detail()).doesNotContain("S3CR3T"));
        assertThat(Set.of(RejectReason.ORPHAN, RejectReason.OUT_OF_ORDER, RejectReason.DISCARDED))
                .containsAll(outcomes.stream().filter(o -> o instanceof Outcome.Rejected)
                        .map(o -> ((Outcome.Rejected) o).reason()).toList());
    }
}
