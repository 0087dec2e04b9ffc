package dev.bridge.core.protocol;

import static dev.bridge.core.protocol.Fixtures.feed;
import static dev.bridge.core.protocol.Fixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bridge.core.protocol.Fixtures.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReassemblerTest {

    /** Put in every body, so a leak into a rejection's detail is easy to spot. */
    private static final String SECRET = "S3CR3T-d41d8cd98f00";

    private final FakeClock clock = new FakeClock();
    private final List<Outcome.Rejected> drops = new ArrayList<>();

    private Reassembler reassembler(ReassemblerOptions options) {
        return new Reassembler(options, null, drops::add, clock);
    }

    private Reassembler reassembler() {
        return reassembler(ReassemblerOptions.defaults());
    }

    /** ASCII text of exactly {@code size} bytes made of the secret marker. */
    private static String secretText(int size) {
        return (SECRET + ",").repeat(size / (SECRET.length() + 1) + 1).substring(0, size);
    }

    /** The frames of a {@code size}-byte ASCII message at the smallest frame limit. */
    private static List<String> frames(String id, int size) {
        return new FrameEncoder(64).encode(id, secretText(size));
    }

    private static Outcome.Complete assertComplete(Outcome outcome, String id, String message) {
        assertThat(outcome).isInstanceOf(Outcome.Complete.class);
        Outcome.Complete complete = (Outcome.Complete) outcome;
        assertThat(complete.messageId()).isEqualTo(id);
        assertThat(complete.payload().toByteArray()).isEqualTo(utf8(message));
        assertThat(complete.payload().size()).isEqualTo(utf8(message).length);
        assertThat(complete.payload().asString()).isEqualTo(message);
        return complete;
    }

    private static void assertRejected(Outcome outcome, RejectReason reason, String id) {
        assertThat(outcome).isInstanceOf(Outcome.Rejected.class);
        Outcome.Rejected rejected = (Outcome.Rejected) outcome;
        assertThat(rejected.reason()).isEqualTo(reason);
        assertThat(rejected.messageId()).isEqualTo(id);
        assertThat(rejected.detail()).isNotBlank().doesNotContain(SECRET.substring(0, 6));
    }

    private static void assertDrop(Outcome.Rejected drop, RejectReason reason, String id) {
        assertRejected(drop, reason, id);
    }

    /** Feeds a whole message and checks every frame but the last is pending and the last completes it. */
    private static Outcome.Complete roundTrip(Reassembler reassembler, String id, String message, int limit) {
        List<String> frames = new FrameEncoder(limit).encode(id, message);
        for (int i = 0; i < frames.size() - 1; i++) {
            assertThat(reassembler.accept(frames.get(i))).isEqualTo(new Outcome.Pending(id));
        }
        return assertComplete(reassembler.accept(frames.get(frames.size() - 1)), id, message);
    }

    private static void assertIdle(Reassembler reassembler) {
        assertThat(reassembler.stats().inFlight()).isZero();
        assertThat(reassembler.stats().bufferedBytes()).isZero();
    }

    // ---- round trips -------------------------------------------------------------------------

    @Test
    void emptyMessageRoundTrips() {
        Reassembler r = reassembler();
        Outcome.Complete complete = assertComplete(r.accept("B1=a:"), "a", "");
        assertThat(complete.payload().isEmpty()).isTrue();
        assertThat(r.stats().completed()).isEqualTo(1);
    }

    @Test
    void oneByteMessageRoundTrips() {
        Reassembler r = reassembler();
        roundTrip(r, "a", "x", 64);
        roundTrip(r, "b", "é", 64);
        assertThat(r.stats().completed()).isEqualTo(2);
        assertThat(r.stats().pending()).isZero();
    }

    @ParameterizedTest(name = "L={0}")
    @ValueSource(ints = {64, 100, 7999})
    void roundTripsEverySizeAroundTheFrameBoundaries(int limit) {
        Reassembler r = reassembler();
        Random random = new Random(limit);
        List<Integer> sizes = new ArrayList<>(List.of(0, 1, 2, 3, 4, 5, 3 * limit, 10 * limit + 3));
        for (int around : new int[] {limit - 8, 2 * limit - 50}) {
            IntStream.rangeClosed(around - 6, around + 6).forEach(sizes::add);
        }
        int completed = 0;
        for (int size : sizes) {
            for (String message : new String[] {secretText(size), Fixtures.randomTextOfBytes(random, size)}) {
                roundTrip(r, "m" + size, message, limit);
                completed++;
            }
        }
        assertThat(r.stats().completed()).isEqualTo(completed);
        assertThat(r.stats().rejectedTotal()).isZero();
        assertIdle(r);
    }

    @Test
    void roundTripsOneMebibyteAtTheDefaultLimit() {
        String message = Fixtures.randomTextOfBytes(new Random(1), 1 << 20);
        int size = utf8(message).length;
        assertThat(size).isBetween((1 << 20) - 3, 1 << 20);
        List<String> frames = new FrameEncoder().encode("4d2", message);
        assertThat(frames.size()).isBetween(132, 140);
        Reassembler r = reassembler();

        for (int i = 0; i < frames.size() - 1; i++) {
            assertThat(r.accept(frames.get(i))).isEqualTo(new Outcome.Pending("4d2"));
        }
        assertThat(r.stats().inFlight()).isEqualTo(1);
        assertThat(r.stats().bufferedBytes()).isEqualTo(size);
        assertComplete(r.accept(frames.get(frames.size() - 1)), "4d2", message);

        assertThat(r.stats().pending()).isEqualTo(frames.size() - 1);
        assertThat(r.stats().completed()).isEqualTo(1);
        assertIdle(r);
    }

    @Test
    void roundTripsSixtyFourKibibytesAtTheSmallestLimit() {
        String message = Fixtures.randomTextOfBytes(new Random(2), 64 << 10);
        Reassembler r = reassembler();
        roundTrip(r, "ffffffffffffffff", message, 64);
        assertThat(r.stats().pending()).isGreaterThan((64 << 10) / 57);
        assertIdle(r);
    }

    @Test
    void messageOfExactlyTheMaximumSizeIsAccepted() {
        Reassembler r = reassembler(ReassemblerOptions.defaults().withMaxMessageBytes(100));
        roundTrip(r, "split", secretText(100), 64);
        roundTrip(r, "single", secretText(100), 7999);
        assertThat(r.stats().rejectedTotal()).isZero();
    }

    @Test
    void interleavedMessagesAllComplete() {
        Random random = new Random(3);
        Map<String, String> messages = new LinkedHashMap<>();
        List<List<String>> pending = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String id = "msg" + i;
            String message = Fixtures.randomTextOfBytes(random, 30 + i * 170);
            messages.put(id, message);
            pending.add(new ArrayList<>(new FrameEncoder(64).encode(id, message)));
        }
        Reassembler r = reassembler();
        Map<String, String> completed = new LinkedHashMap<>();
        int maxInFlight = 0;
        while (pending.stream().anyMatch(f -> !f.isEmpty())) {
            for (List<String> frames : pending) {
                if (!frames.isEmpty()) {
                    Outcome outcome = r.accept(frames.remove(0));
                    if (outcome instanceof Outcome.Complete c) {
                        completed.put(c.messageId(), c.payload().asString());
                    } else {
                        assertThat(outcome).isInstanceOf(Outcome.Pending.class);
                    }
                    maxInFlight = Math.max(maxInFlight, r.stats().inFlight());
                }
            }
        }
        assertThat(completed).isEqualTo(messages);
        assertThat(maxInFlight).isEqualTo(5);
        assertThat(r.stats().rejectedTotal()).isZero();
        assertIdle(r);
    }

    @Test
    void bufferedBytesAreTheDeclaredSizesOfTheMessagesInFlight() {
        Reassembler r = reassembler();
        List<String> a = frames("a", 150);
        List<String> b = frames("b", 1000);
        r.accept(a.get(0));
        r.accept(b.get(0));
        assertThat(r.stats().inFlight()).isEqualTo(2);
        assertThat(r.stats().bufferedBytes()).isEqualTo(1150);
        feed(r, a.subList(1, a.size()));
        assertThat(r.stats().inFlight()).isEqualTo(1);
        assertThat(r.stats().bufferedBytes()).isEqualTo(1000);
    }

    @Test
    void replayedMessageCompletesAgain() {
        Reassembler r = reassembler();
        List<String> frames = frames("a", 150);
        feed(r, frames);
        List<Outcome> again = feed(r, frames);
        assertComplete(again.get(again.size() - 1), "a", secretText(150));
        assertThat(r.stats().completed()).isEqualTo(2);
    }

    // ---- rejections, one reason at a time ------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"hello", "{\"op\":\"INSERT\",\"bucket\":\"b\",\"id\":\"1\",\"val\":null,\"old\":null}", "",
            "B", "Bonjour", "BX=a:x", "B-1=a:x", " B1=a:x", "\uFEFFB1=a:x", "C1=a:x", "1=a:x", "😀B1=a:x"})
    void foreignFramesAreRejectedWithoutAnId(String frame) {
        Reassembler r = reassembler();
        assertRejected(r.accept(frame), RejectReason.FOREIGN, null);
        assertThat(r.stats().rejected(RejectReason.FOREIGN)).isEqualTo(1);
    }

    @Test
    void nullFrameIsForeign() {
        Reassembler r = reassembler();
        assertRejected(r.accept(null), RejectReason.FOREIGN, null);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "B1", "B1x", "B1-a:x", "B1=", "B1=abc", "B1=:x", "B1=a-b:x", "B1=a b:x", "B1=é:x",
            "B1=0123456789abcdef0123456789abcdefX:x",
            "B1<a", "B1<a:", "B1<a::x", "B1<a:12", "B1<a:12x:y", "B1<a:-1:x", "B1<a:+1:x", "B1<a:007:x", "B1<a:00:x",
            "B1<a:2147483648:x", "B1<a:9999999999:x", "B1<a:99999999999:x", "B1<a:12345678901234567890:x",
            "B1+a:0:x", "B1>a:0:x", "B1+a:01:x", "B1>a:00:x", "B1+a:1", "B1>a::x", "B1+a:2147483648:x",
            "B1<a:１:x"})
    void malformedHeadersAreRejected(String frame) {
        Reassembler r = reassembler();
        assertRejected(r.accept(frame), RejectReason.MALFORMED, null);
        assertThat(r.stats().rejected(RejectReason.MALFORMED)).isEqualTo(1);
        assertThat(r.stats().rejectedTotal()).isEqualTo(1);
    }

    @Test
    void idOfThirtyTwoCharactersIsAcceptedAndThirtyThreeIsMalformed() {
        Reassembler r = reassembler();
        String id32 = "abcdefghijABCDEFGHIJ0123456789xy";
        assertComplete(r.accept("B1=" + id32 + ":{}"), id32, "{}");
        assertRejected(r.accept("B1=" + id32 + "z:{}"), RejectReason.MALFORMED, null);
    }

    @Test
    void largestNumbersAreParsedNotOverflowed() {
        Reassembler r = reassembler();
        assertRejected(r.accept("B1<big:2147483647:x"), RejectReason.TOO_LARGE, "big");
        assertRejected(r.accept("B1+big:2147483647:x"), RejectReason.DISCARDED, "big");
        assertRejected(r.accept("B1>other:2147483647:x"), RejectReason.ORPHAN, "other");
        assertRejected(r.accept("B1>other:4294967297:x"), RejectReason.MALFORMED, null);
    }

    @Test
    void declaredSizeZeroIsAllowed() {
        Reassembler r = reassembler();
        assertThat(r.accept("B1<z:0:")).isEqualTo(new Outcome.Pending("z"));
        assertComplete(r.accept("B1>z:1:"), "z", "");
    }

    @ParameterizedTest
    @ValueSource(strings = {"B3=a:x", "B0<a:3:abc", "B9", "B12=a:x", "B10=a:x", "B01=a:x", "B22>a:1:x", "B3"})
    void otherVersionsAreUnsupported(String frame) {
        Reassembler r = reassembler();
        assertRejected(r.accept(frame), RejectReason.UNSUPPORTED_VERSION, null);
        assertThat(r.stats().rejected(RejectReason.UNSUPPORTED_VERSION)).isEqualTo(1);
    }

    @Test
    void continuationWithoutItsStartIsOrphan() {
        Reassembler r = reassembler();
        List<String> frames = frames("a", 150);
        assertRejected(r.accept(frames.get(1)), RejectReason.ORPHAN, "a");
        assertRejected(r.accept(frames.get(2)), RejectReason.ORPHAN, "a");
        assertRejected(r.accept("B1>q:7:x"), RejectReason.ORPHAN, "q");
        assertThat(r.stats().rejected(RejectReason.ORPHAN)).isEqualTo(3);
        assertIdle(r);
    }

    @Test
    void frameOfACompletedMessageIsOrphan() {
        Reassembler r = reassembler();
        List<String> frames = frames("a", 100);
        feed(r, frames);
        assertRejected(r.accept(frames.get(1)), RejectReason.ORPHAN, "a");
    }

    @Test
    void duplicateFrameDropsTheMessageAndItsRemainingFramesAreDiscarded() {
        Reassembler r = reassembler();
        List<String> f = frames("a", 200);
        assertThat(f).hasSize(4);
        assertThat(r.accept(f.get(0))).isEqualTo(new Outcome.Pending("a"));
        assertThat(r.accept(f.get(1))).isEqualTo(new Outcome.Pending("a"));
        assertRejected(r.accept(f.get(1)), RejectReason.DUPLICATE, "a");
        assertRejected(r.accept(f.get(2)), RejectReason.DISCARDED, "a");
        assertRejected(r.accept(f.get(3)), RejectReason.DISCARDED, "a");

        assertThat(r.stats().rejected(RejectReason.DUPLICATE)).isEqualTo(1);
        assertThat(r.stats().rejected(RejectReason.DISCARDED)).isEqualTo(2);
        assertThat(drops).as("a frame's own rejection is not a drop").isEmpty();
        assertIdle(r);
    }

    @Test
    void resentEarlierFrameIsDuplicate() {
        Reassembler r = reassembler();
        List<String> f = frames("a", 200);
        feed(r, f.subList(0, 3));
        assertRejected(r.accept(f.get(1)), RejectReason.DUPLICATE, "a");
    }

    @Test
    void missingFrameMakesTheNextOneOutOfOrder() {
        Reassembler r = reassembler();
        List<String> f = frames("a", 200);
        r.accept(f.get(0));
        assertRejected(r.accept(f.get(2)), RejectReason.OUT_OF_ORDER, "a");
        assertRejected(r.accept(f.get(1)), RejectReason.DISCARDED, "a");
        assertRejected(r.accept(f.get(3)), RejectReason.DISCARDED, "a");
        assertIdle(r);
    }

    @Test
    void missingMiddleBeforeTheLastIsOutOfOrder() {
        Reassembler r = reassembler();
        List<String> f = frames("a", 150);
        r.accept(f.get(0));
        assertRejected(r.accept(f.get(2)), RejectReason.OUT_OF_ORDER, "a");
    }

    @Test
    void truncatedLastBodyIsSizeMismatch() {
        Reassembler r = reassembler();
        List<String> f = frames("a", 150);
        feed(r, f.subList(0, 2));
        String last = f.get(2);
        assertRejected(r.accept(last.substring(0, last.length() - 1)), RejectReason.SIZE_MISMATCH, "a");
        assertIdle(r);
    }

    @Test
    void truncatedMiddleBodyIsCaughtAtTheLastFrame() {
        Reassembler r = reassembler();
        List<String> f = frames("a", 150);
        r.accept(f.get(0));
        assertThat(r.accept(f.get(1).substring(0, f.get(1).length() - 3))).isEqualTo(new Outcome.Pending("a"));
        assertRejected(r.accept(f.get(2)), RejectReason.SIZE_MISMATCH, "a");
    }

    @Test
    void paddedLastBodyIsSizeMismatch() {
        Reassembler r = reassembler();
        List<String> f = frames("a", 150);
        feed(r, f.subList(0, 2));
        assertRejected(r.accept(f.get(2) + "x"), RejectReason.SIZE_MISMATCH, "a");
        assertIdle(r);
    }

    @Test
    void lastFrameBeforeTheDeclaredSizeIsReachedIsSizeMismatch() {
        Reassembler r = reassembler();
        r.accept("B1<m:10:abc");
        assertRejected(r.accept("B1>m:1:def"), RejectReason.SIZE_MISMATCH, "m");
    }

    @Test
    void middleBodyOverTheDeclaredSizeIsSizeMismatchAtOnce() {
        Reassembler r = reassembler();
        assertThat(r.accept("B1<m:10:abcdef")).isEqualTo(new Outcome.Pending("m"));
        assertRejected(r.accept("B1+m:1:ghijk"), RejectReason.SIZE_MISMATCH, "m");
        assertRejected(r.accept("B1>m:2:"), RejectReason.DISCARDED, "m");
        assertIdle(r);
    }

    @Test
    void firstBodyOverTheDeclaredSizeIsSizeMismatch() {
        Reassembler r = reassembler();
        assertRejected(r.accept("B1<m:3:abcd"), RejectReason.SIZE_MISMATCH, "m");
        assertIdle(r);
    }

    @Test
    void sizeIsCountedInBytesNotCharacters() {
        Reassembler r = reassembler();
        // "é€😀" is 3 characters, 9 bytes.
        r.accept("B1<m:9:é€");
        assertComplete(r.accept("B1>m:1:😀"), "m", "é€😀");
        // A sender counting UTF-16 units would declare 4.
        assertRejected(r.accept("B1<n:4:é€"), RejectReason.SIZE_MISMATCH, "n");
        assertRejected(r.accept("B1>n:1:😀"), RejectReason.DISCARDED, "n");
    }

    @Test
    void declaredSizeOverTheLimitIsTooLargeAndTheRestIsDiscarded() {
        Reassembler r = reassembler(ReassemblerOptions.defaults().withMaxMessageBytes(100));
        List<String> f = frames("a", 101);
        assertRejected(r.accept(f.get(0)), RejectReason.TOO_LARGE, "a");
        assertRejected(r.accept(f.get(1)), RejectReason.DISCARDED, "a");
        assertIdle(r);
    }

    @Test
    void singleFrameOverTheLimitIsTooLarge() {
        Reassembler r = reassembler(ReassemblerOptions.defaults().withMaxMessageBytes(100));
        assertRejected(r.accept("B1=a:" + secretText(101)), RejectReason.TOO_LARGE, "a");
        assertThat(r.stats().rejected(RejectReason.TOO_LARGE)).isEqualTo(1);
        assertThat(r.stats().completed()).isZero();
    }

    @Test
    void newFirstFrameInterruptsTheMessageInFlight() {
        Reassembler r = reassembler();
        List<String> old = frames("a", 200);
        feed(r, old.subList(0, 2));
        roundTrip(r, "a", "{\"replacement\":true," + "x".repeat(100) + "}", 64);

        assertThat(drops).hasSize(1);
        assertDrop(drops.get(0), RejectReason.INTERRUPTED, "a");
        // §2.4 leaves open whether a stale frame of the interrupted message is orphan or discarded once
        // its id completed again; either way it is rejected and nothing restarts.
        Outcome stale = r.accept(old.get(2));
        assertThat(stale).isInstanceOf(Outcome.Rejected.class);
        assertThat(((Outcome.Rejected) stale).reason()).isIn(RejectReason.ORPHAN, RejectReason.DISCARDED);
        assertThat(r.stats().rejected(RejectReason.INTERRUPTED)).isEqualTo(1);
        assertIdle(r);
    }

    @Test
    void repeatedFirstFrameRestartsTheMessage() {
        Reassembler r = reassembler();
        List<String> f = frames("a", 150);
        r.accept(f.get(0));
        assertThat(feed(r, f)).last().isInstanceOf(Outcome.Complete.class);
        assertThat(drops).singleElement().extracting(Outcome.Rejected::reason).isEqualTo(RejectReason.INTERRUPTED);
    }

    @Test
    void singleFrameInterruptsTheMessageInFlight() {
        Reassembler r = reassembler();
        r.accept(frames("a", 150).get(0));
        assertComplete(r.accept("B1=a:{}"), "a", "{}");
        assertThat(drops).singleElement().extracting(Outcome.Rejected::reason).isEqualTo(RejectReason.INTERRUPTED);
        assertIdle(r);
    }

    @Test
    void tooLargeFirstFrameStillInterruptsTheMessageInFlight() {
        Reassembler r = reassembler(ReassemblerOptions.defaults().withMaxMessageBytes(100));
        r.accept(frames("a", 100).get(0));
        assertRejected(r.accept("B1<a:101:x"), RejectReason.TOO_LARGE, "a");
        assertThat(drops).singleElement().extracting(Outcome.Rejected::reason).isEqualTo(RejectReason.INTERRUPTED);
        assertIdle(r);
    }

    @Test
    void messageStartedAfterADroppedOneWithTheSameIdCompletes() {
        Reassembler r = reassembler();
        List<String> f = frames("a", 150);
        feed(r, List.of(f.get(0), f.get(2)));
        assertThat(feed(r, f)).last().isInstanceOf(Outcome.Complete.class);
    }

    @Test
    void tooManyMessagesInFlightEvictsTheOldest() {
        Reassembler r = reassembler(ReassemblerOptions.defaults().withMaxMessagesInFlight(3));
        List<List<String>> messages = Stream.of("m1", "m2", "m3", "m4").map(id -> frames(id, 100)).toList();
        messages.forEach(f -> assertThat(r.accept(f.get(0))).isInstanceOf(Outcome.Pending.class));

        assertThat(drops).hasSize(1);
        assertDrop(drops.get(0), RejectReason.EVICTED, "m1");
        assertThat(r.stats().inFlight()).isEqualTo(3);
        assertThat(r.stats().bufferedBytes()).isEqualTo(300);
        assertRejected(r.accept(messages.get(0).get(1)), RejectReason.DISCARDED, "m1");
        for (int i = 1; i < 4; i++) {
            assertComplete(r.accept(messages.get(i).get(1)), "m" + (i + 1), secretText(100));
        }
        assertThat(r.stats().rejected(RejectReason.EVICTED)).isEqualTo(1);
        assertIdle(r);
    }

    @Test
    void tooManyBufferedBytesEvictsTheOldest() {
        Reassembler r = reassembler(new ReassemblerOptions(1000, 100, 2500, Duration.ofSeconds(60), false, false));
        List<String> m1 = frames("m1", 1000);
        List<String> m2 = frames("m2", 1000);
        List<String> m3 = frames("m3", 1000);
        List<String> m4 = frames("m4", 500);
        List<String> m5 = frames("m5", 100);
        r.accept(m1.get(0));
        r.accept(m2.get(0));
        r.accept(m3.get(0));
        assertThat(drops).singleElement().satisfies(d -> assertDrop(d, RejectReason.EVICTED, "m1"));
        assertThat(r.stats().bufferedBytes()).isEqualTo(2000);

        r.accept(m4.get(0));
        assertThat(drops).as("exactly at the bound is allowed").hasSize(1);
        assertThat(r.stats().bufferedBytes()).isEqualTo(2500);

        r.accept(m5.get(0));
        assertThat(drops).hasSize(2);
        assertDrop(drops.get(1), RejectReason.EVICTED, "m2");
        assertThat(r.stats().bufferedBytes()).isEqualTo(1600);
        assertThat(r.stats().inFlight()).isEqualTo(3);

        assertComplete(feed(r, m3.subList(1, m3.size())).get(m3.size() - 2), "m3", secretText(1000));
        assertRejected(r.accept(m2.get(1)), RejectReason.DISCARDED, "m2");
    }

    @Test
    void incompleteMessageExpiresWhenTheNextFrameArrives() {
        Reassembler r = reassembler();
        List<String> f = frames("a", 200);
        r.accept(f.get(0));
        clock.advance(Duration.ofSeconds(60).minusNanos(1));
        assertThat(r.accept(f.get(1))).isEqualTo(new Outcome.Pending("a"));
        assertThat(drops).isEmpty();

        clock.advanceNanos(1);
        assertRejected(r.accept(f.get(2)), RejectReason.DISCARDED, "a");
        assertThat(drops).singleElement().satisfies(d -> assertDrop(d, RejectReason.EXPIRED, "a"));
        assertThat(r.stats().rejected(RejectReason.EXPIRED)).isEqualTo(1);
        assertIdle(r);
    }

    @Test
    void expireDropsOnlyTheMessagesThatAreTooOld() {
        Reassembler r = reassembler(ReassemblerOptions.defaults().withExpireAfter(Duration.ofSeconds(10)));
        r.accept(frames("a", 100).get(0));
        clock.advance(Duration.ofSeconds(4));
        r.accept(frames("b", 100).get(0));
        clock.advance(Duration.ofSeconds(4));
        r.accept(frames("c", 100).get(0));

        clock.advance(Duration.ofSeconds(2));
        r.expire();
        assertThat(drops).extracting(Outcome.Rejected::messageId).containsExactly("a");
        assertThat(r.stats().inFlight()).isEqualTo(2);
        assertThat(r.stats().bufferedBytes()).isEqualTo(200);

        clock.advance(Duration.ofSeconds(7));
        r.expire();
        assertThat(drops).extracting(Outcome.Rejected::messageId).containsExactly("a", "b");

        clock.advance(Duration.ofSeconds(1));
        r.expire();
        r.expire();
        assertThat(drops).extracting(Outcome.Rejected::messageId).containsExactly("a", "b", "c");
        assertThat(drops).extracting(Outcome.Rejected::reason).containsOnly(RejectReason.EXPIRED);
        assertThat(r.stats().rejected(RejectReason.EXPIRED)).isEqualTo(3);
        assertIdle(r);
    }

    @Test
    void expireWithNothingInFlightDoesNothing() {
        Reassembler r = reassembler();
        clock.advance(Duration.ofDays(1));
        r.expire();
        assertThat(drops).isEmpty();
        assertThat(r.stats().rejectedTotal()).isZero();
    }

    @Test
    void expiryCountsFromTheStartNotFromTheLastFrame() {
        Reassembler r = reassembler(ReassemblerOptions.defaults().withExpireAfter(Duration.ofSeconds(10)));
        List<String> f = frames("a", 400);
        r.accept(f.get(0));
        for (int i = 1; i < 5; i++) {
            clock.advance(Duration.ofSeconds(2));
            assertThat(r.accept(f.get(i))).isEqualTo(new Outcome.Pending("a"));
        }
        clock.advance(Duration.ofSeconds(2));
        assertRejected(r.accept(f.get(5)), RejectReason.DISCARDED, "a");
        assertThat(drops).singleElement().extracting(Outcome.Rejected::reason).isEqualTo(RejectReason.EXPIRED);
    }

    @ParameterizedTest
    @ValueSource(longs = {Long.MAX_VALUE - 5_000_000_000L, -1L, Long.MIN_VALUE})
    void expiryWorksWhateverTheClocksOrigin(long origin) {
        FakeClock wrapping = new FakeClock(origin);
        Reassembler r = new Reassembler(ReassemblerOptions.defaults(), null, drops::add, wrapping);
        List<String> f = frames("a", 200);
        r.accept(f.get(0));
        wrapping.advance(Duration.ofSeconds(59));
        assertThat(r.accept(f.get(1))).isEqualTo(new Outcome.Pending("a"));
        wrapping.advance(Duration.ofSeconds(1));
        r.expire();
        assertThat(drops).singleElement().extracting(Outcome.Rejected::reason).isEqualTo(RejectReason.EXPIRED);
        roundTrip(r, "b", secretText(300), 64);
    }

    @Test
    void throwingDropListenerDoesNotStopTheReassembler() {
        Reassembler r = new Reassembler(ReassemblerOptions.defaults(), null, d -> {
            throw new RuntimeException("listener bug (expected by this test)", null, false, false) { };
        }, clock);
        r.accept(frames("a", 100).get(0));
        roundTrip(r, "a", secretText(100), 64);
        assertThat(r.stats().rejected(RejectReason.INTERRUPTED)).isEqualTo(1);
    }

    @Test
    void unpairedSurrogatesInFramesAreCarriedNotThrown() {
        Reassembler r = reassembler();
        Outcome single = r.accept("B1=a:x\uD800y");
        assertThat(single).isInstanceOf(Outcome.Complete.class);
        // A single frame keeps its text as received; its bytes hold the encoder's replacement.
        assertThat(((Outcome.Complete) single).payload().asString()).isEqualTo("x\uD800y");
        assertThat(((Outcome.Complete) single).payload().toByteArray()).isEqualTo(new byte[] {'x', '?', 'y'});
        assertThat(r.accept("B1<b:3:\uDC00")).isEqualTo(new Outcome.Pending("b"));
        assertComplete(r.accept("B1>b:1:zz"), "b", "?zz");
    }

    @Test
    void publicConstructorsWork() {
        Reassembler plain = new Reassembler(ReassemblerOptions.defaults());
        roundTrip(plain, "a", secretText(100), 64);
        assertThat(plain.options()).isEqualTo(ReassemblerOptions.defaults());
        List<Outcome.Rejected> seen = new ArrayList<>();
        Reassembler withListener = new Reassembler(ReassemblerOptions.defaults(), null, seen::add);
        withListener.accept(frames("a", 100).get(0));
        withListener.accept("B1=a:{}");
        assertThat(seen).singleElement().extracting(Outcome.Rejected::reason).isEqualTo(RejectReason.INTERRUPTED);
    }

    // ---- recovery, counting and secrecy ----------------------------------------------------------

    @Test
    void reassemblerRecoversAfterGarbage() {
        Reassembler r = reassembler(ReassemblerOptions.defaults().withMaxMessagesInFlight(8));
        Random random = new Random(4);
        for (int i = 0; i < 2_000; i++) {
            String garbage = switch (i % 6) {
                case 0 -> Fixtures.randomText(random, random.nextInt(200));
                case 1 -> "B1" + Fixtures.randomText(random, random.nextInt(60));
                case 2 -> "B1<g" + i + ":" + random.nextInt(5000) + ":" + Fixtures.randomText(random, random.nextInt(40));
                case 3 -> "B1+g" + random.nextInt(3000) + ":" + (1 + random.nextInt(9)) + ":x";
                case 4 -> "B1>g" + random.nextInt(3000) + ":" + (1 + random.nextInt(9)) + ":y";
                default -> "B" + random.nextInt(10) + "=" + Fixtures.randomText(random, 20);
            };
            assertThat(r.accept(garbage)).isNotNull();
        }
        assertThat(r.stats().inFlight()).isLessThanOrEqualTo(8);
        String message = Fixtures.randomTextOfBytes(random, 5_000);
        roundTrip(r, "after", message, 64);
        roundTrip(r, "single", "{}", 64);
    }

    /**
     * A stream that produces every reason an unsigned reader can give at least once (a signed reader's
     * own, {@link #SIGNED_ONLY}, are in {@code SignedFramesTest}); returns every outcome, drops included.
     */
    private List<Outcome> everyReasonScenario(Reassembler r) {
        List<Outcome> outcomes = new ArrayList<>();
        outcomes.add(r.accept("hello " + SECRET));
        outcomes.add(r.accept(null));
        outcomes.add(r.accept("B3=7:" + SECRET));
        outcomes.add(r.accept("B2=7:" + "0".repeat(FrameKey.TAG_LENGTH) + ":" + SECRET));
        outcomes.add(r.accept("B1<0123456789abcdef:0" + SECRET));
        outcomes.add(r.accept("B1+7:0:" + SECRET));
        outcomes.add(r.accept("B1+orphan:1:" + SECRET));
        List<String> a = frames("A", 150);
        outcomes.addAll(feed(r, List.of(a.get(0), a.get(1), a.get(1), a.get(2))));
        outcomes.addAll(feed(r, frames("B", 100)));
        List<String> c = frames("C", 100);
        outcomes.addAll(feed(r, List.of(c.get(0), c.get(0), c.get(1))));
        outcomes.add(r.accept("B1=s:" + SECRET));
        List<String> d = frames("D", 150);
        outcomes.addAll(feed(r, List.of(d.get(0), d.get(2), d.get(1))));
        List<String> e = frames("E", 100);
        outcomes.addAll(feed(r, List.of(e.get(0), e.get(1).substring(0, e.get(1).length() - 1))));
        outcomes.addAll(feed(r, List.of("B1<T:1001:" + SECRET, "B1>T:1:" + SECRET)));
        List<String> f = frames("F", 100);
        List<String> g = frames("G", 100);
        List<String> h = frames("H", 100);
        outcomes.addAll(feed(r, List.of(f.get(0), g.get(0), h.get(0), f.get(1))));
        clock.advance(Duration.ofSeconds(61));
        r.expire();
        outcomes.add(r.accept(g.get(1)));
        outcomes.addAll(drops);
        return outcomes;
    }

    /** Reasons only a reader with a key gives. */
    static final EnumSet<RejectReason> SIGNED_ONLY = EnumSet.of(RejectReason.UNSIGNED, RejectReason.REPLAYED);

    private ReassemblerOptions scenarioOptions() {
        return new ReassemblerOptions(1000, 2, 64L << 20, Duration.ofSeconds(60), false, false);
    }

    @Test
    void statsCountEveryOutcomeExactly() {
        Reassembler r = reassembler(scenarioOptions());
        List<Outcome> outcomes = everyReasonScenario(r);

        Map<RejectReason, Long> expected = new EnumMap<>(RejectReason.class);
        expected.put(RejectReason.FOREIGN, 2L);
        expected.put(RejectReason.MALFORMED, 2L);
        expected.put(RejectReason.UNSUPPORTED_VERSION, 1L);
        expected.put(RejectReason.FORGED, 1L);
        expected.put(RejectReason.ORPHAN, 1L);
        expected.put(RejectReason.DISCARDED, 5L);
        expected.put(RejectReason.DUPLICATE, 1L);
        expected.put(RejectReason.OUT_OF_ORDER, 1L);
        expected.put(RejectReason.SIZE_MISMATCH, 1L);
        expected.put(RejectReason.TOO_LARGE, 1L);
        expected.put(RejectReason.INTERRUPTED, 1L);
        expected.put(RejectReason.EVICTED, 1L);
        expected.put(RejectReason.EXPIRED, 2L);
        assertThat(expected.keySet()).as("the scenario covers every reason but a signed reader's own")
                .containsExactlyInAnyOrderElementsOf(EnumSet.complementOf(SIGNED_ONLY));

        ReassemblyStats stats = r.stats();
        SIGNED_ONLY.forEach(reason -> expected.put(reason, 0L));
        assertThat(stats.rejected()).isEqualTo(expected);
        assertThat(stats.completed()).isEqualTo(3);
        assertThat(stats.pending()).isEqualTo(10);
        assertThat(stats.rejectedTotal()).isEqualTo(20);
        assertThat(stats.inFlight()).isZero();
        assertThat(stats.bufferedBytes()).isZero();

        Map<RejectReason, Long> tallied = new EnumMap<>(RejectReason.class);
        for (RejectReason reason : RejectReason.values()) {
            tallied.put(reason, 0L);
        }
        outcomes.stream().filter(o -> o instanceof Outcome.Rejected).map(o -> ((Outcome.Rejected) o).reason())
                .forEach(reason -> tallied.merge(reason, 1L, Long::sum));
        assertThat(tallied).as("stats agree with the outcomes returned and dropped").isEqualTo(expected);
        assertThat(outcomes.stream().filter(o -> o instanceof Outcome.Pending).count()).isEqualTo(stats.pending());
        assertThat(outcomes.stream().filter(o -> o instanceof Outcome.Complete).count()).isEqualTo(stats.completed());
        assertThat(drops).extracting(Outcome.Rejected::reason).containsExactly(
                RejectReason.INTERRUPTED, RejectReason.EVICTED, RejectReason.EXPIRED, RejectReason.EXPIRED);
        assertThat(drops).extracting(Outcome.Rejected::messageId).containsExactly("C", "F", "G", "H");
    }

    @Test
    void rejectionDetailsNeverContainBodies() {
        Reassembler r = reassembler(scenarioOptions());
        List<Outcome.Rejected> rejections = everyReasonScenario(r).stream()
                .filter(o -> o instanceof Outcome.Rejected).map(o -> (Outcome.Rejected) o).toList();
        assertThat(rejections).extracting(Outcome.Rejected::reason).containsAll(EnumSet.complementOf(SIGNED_ONLY));
        for (Outcome.Rejected rejected : rejections) {
            assertThat(rejected.detail()).as("%s", rejected.reason()).isNotBlank().doesNotContain("S3CR3T");
            assertThat(rejected.toString()).doesNotContain("S3CR3T");
        }
    }

    @Test
    void optionsOutsideTheirBoundsAreRejected() {
        Duration minute = Duration.ofMinutes(1);
        assertThatThrownBy(() -> new ReassemblerOptions(0, 1, 1, minute, false, false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReassemblerOptions(10, 0, 10, minute, false, false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReassemblerOptions(10, 1, 9, minute, false, false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReassemblerOptions(10, 1, 10, Duration.ZERO, false, false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReassemblerOptions(10, 1, 10, minute.negated(), false, false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReassemblerOptions(10, 1, 10, null, false, false)).isInstanceOf(NullPointerException.class);
        assertThat(new ReassemblerOptions(1, 1, 1, Duration.ofNanos(1), true, false).legacyFrames()).isTrue();
    }

    @Test
    void aSingleFrameIsMeasuredInBytesAgainstTheLimit() {
        Reassembler r = reassembler(ReassemblerOptions.defaults().withMaxMessageBytes(10));

        assertComplete(r.accept("B1=a:ééééé"), "a", "ééééé");
        assertComplete(r.accept("B1=b:aaaaaaaaaa"), "b", "aaaaaaaaaa");
        assertRejected(r.accept("B1=c:éééééa"), RejectReason.TOO_LARGE, "c");
        assertRejected(r.accept("B1=d:aaaaaaaaaaa"), RejectReason.TOO_LARGE, "d");
    }
}
