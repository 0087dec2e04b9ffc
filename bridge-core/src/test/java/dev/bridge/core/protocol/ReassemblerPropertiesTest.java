package dev.bridge.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bridge.core.protocol.Fixtures.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

class ReassemblerPropertiesTest {

    /** A frame on the wire and the message it belongs to (null for injected garbage). */
    private record Sent(String frame, String messageId) {
    }

    @Provide
    Arbitrary<String> unicodeText() {
        Arbitrary<Integer> codePoint = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.integers().between(0, 0x7F)),
                Tuple.of(2, Arbitraries.integers().between(0x80, 0x7FF)),
                Tuple.of(2, Arbitraries.integers().between(0x800, 0xD7FF)),
                Tuple.of(1, Arbitraries.integers().between(0xE000, 0xFFFF)),
                Tuple.of(3, Arbitraries.integers().between(0x10000, 0x10FFFF)));
        return codePoint.list().ofMaxSize(4_000).map(points -> {
            StringBuilder text = new StringBuilder(points.size() * 2);
            points.forEach(text::appendCodePoint);
            return text.toString();
        });
    }

    @Property(tries = 300)
    void generatedUnicodeRoundTripsExactly(
            @ForAll("unicodeText") String message, @ForAll @IntRange(min = 64, max = 7999) int limit) {
        assertRoundTrip(message, limit);
    }

    @Property(tries = 200)
    void largeMixedTextRoundTripsExactly(
            @ForAll @IntRange(min = 0, max = 100_000) int bytes, @ForAll @IntRange(min = 64, max = 7999) int limit,
            @ForAll Random random) {
        assertRoundTrip(Fixtures.randomTextOfBytes(random, bytes), limit);
    }

    private static void assertRoundTrip(String message, int limit) {
        List<String> frames = new FrameEncoder(limit).encode("abc123", message);
        Reassembler reassembler = new Reassembler(ReassemblerOptions.defaults());
        List<Outcome> outcomes = Fixtures.feed(reassembler, frames);

        assertThat(outcomes.subList(0, frames.size() - 1)).allSatisfy(o -> assertThat(o).isEqualTo(new Outcome.Pending("abc123")));
        Outcome last = outcomes.get(frames.size() - 1);
        assertThat(last).isInstanceOf(Outcome.Complete.class);
        Payload payload = ((Outcome.Complete) last).payload();
        assertThat(payload.toByteArray()).isEqualTo(Fixtures.utf8(message));
        assertThat(payload.asString()).isEqualTo(message);
        assertThat(reassembler.stats().completed()).isEqualTo(1);
        assertThat(reassembler.stats().pending()).isEqualTo(frames.size() - 1);
        assertThat(reassembler.stats().rejectedTotal()).isZero();
        assertThat(reassembler.stats().inFlight()).isZero();
        assertThat(reassembler.stats().bufferedBytes()).isZero();
    }

    /** {@code count} messages of random text, sizes and frame limits, keyed by id. */
    private static Map<String, String> messages(Random random, int count, int maxBytes) {
        Map<String, String> messages = new HashMap<>();
        for (int i = 0; i < count; i++) {
            int bytes = random.nextInt(4) == 0 ? random.nextInt(40) : random.nextInt(maxBytes + 1);
            messages.put("c0ffee" + Integer.toHexString(i), Fixtures.randomTextOfBytes(random, bytes));
        }
        return messages;
    }

    /** The frames of every message, shuffled together; each message's frames keep their order. */
    private static List<Sent> interleave(Random random, Map<String, String> messages, int minLimit, int maxLimit) {
        List<List<Sent>> queues = new ArrayList<>();
        messages.forEach((id, message) -> {
            int limit = minLimit + random.nextInt(maxLimit - minLimit + 1);
            List<Sent> frames = new ArrayList<>();
            new FrameEncoder(limit).encode(id, message).forEach(f -> frames.add(new Sent(f, id)));
            queues.add(frames);
        });
        List<Sent> stream = new ArrayList<>();
        while (!queues.isEmpty()) {
            int q = random.nextInt(queues.size());
            stream.add(queues.get(q).remove(0));
            if (queues.get(q).isEmpty()) {
                queues.remove(q);
            }
        }
        return stream;
    }

    @Property(tries = 300)
    void interleavedMessagesAllCompleteExactly(
            @ForAll @IntRange(min = 1, max = 40) int count, @ForAll Random random) {
        Map<String, String> messages = messages(random, count, 3_000);
        List<Sent> stream = interleave(random, messages, 64, 400);
        Reassembler reassembler = new Reassembler(ReassemblerOptions.defaults());

        Map<String, String> completed = new HashMap<>();
        for (Sent sent : stream) {
            Outcome outcome = reassembler.accept(sent.frame());
            if (outcome instanceof Outcome.Complete c) {
                assertThat(completed.put(c.messageId(), c.payload().asString())).isNull();
            } else {
                assertThat(outcome).isEqualTo(new Outcome.Pending(sent.messageId()));
            }
        }
        assertThat(completed).isEqualTo(messages);
        assertThat(reassembler.stats().completed()).isEqualTo(count);
        assertThat(reassembler.stats().pending()).isEqualTo(stream.size() - count);
        assertThat(reassembler.stats().rejectedTotal()).isZero();
        assertThat(reassembler.stats().inFlight()).isZero();
        assertThat(reassembler.stats().bufferedBytes()).isZero();
    }

    private enum Mutation { DROP, DUPLICATE, SWAP, TRUNCATE, GARBAGE }

    private static String garbage(Random random) {
        return switch (random.nextInt(7)) {
            case 0 -> Fixtures.randomText(random, random.nextInt(100));
            case 1 -> "B1" + Fixtures.randomText(random, random.nextInt(50));
            case 2 -> "B1<junk" + random.nextInt(50) + ":" + random.nextInt(20_000) + ":" + Fixtures.randomText(random, 20);
            case 3 -> "B1" + "+>".charAt(random.nextInt(2)) + "junk" + random.nextInt(50) + ":" + (1 + random.nextInt(5))
                    + ":" + Fixtures.randomText(random, random.nextInt(30));
            case 4 -> "B" + random.nextInt(10) + "=junk:" + Fixtures.randomText(random, 10);
            case 5 -> "B1<c0ffee:" + Fixtures.randomText(random, 5);
            default -> "";
        };
    }

    /**
     * Applies {@code count} random mutations to the stream and returns the ids of the messages
     * whose frames were touched.
     */
    private static Set<String> mutate(Random random, List<Sent> stream, int count) {
        Set<String> touched = new HashSet<>();
        for (int m = 0; m < count && !stream.isEmpty(); m++) {
            int i = random.nextInt(stream.size());
            Sent sent = stream.get(i);
            switch (Mutation.values()[random.nextInt(Mutation.values().length)]) {
                case DROP -> stream.remove(i);
                case DUPLICATE -> stream.add(i + random.nextInt(stream.size() - i + 1), sent);
                case SWAP -> {
                    int j = random.nextInt(stream.size());
                    stream.set(i, stream.get(j));
                    stream.set(j, sent);
                    touched.add(stream.get(i).messageId());
                }
                case TRUNCATE -> {
                    // A single frame carries no size, so its truncation is undetectable by design.
                    if (sent.messageId() == null || sent.frame().isEmpty() || sent.frame().startsWith("B1=")) {
                        continue;
                    }
                    stream.set(i, new Sent(sent.frame().substring(0, random.nextInt(sent.frame().length())), sent.messageId()));
                }
                case GARBAGE -> {
                    stream.add(i, new Sent(garbage(random), null));
                    continue;
                }
            }
            touched.add(sent.messageId());
        }
        touched.remove(null);
        return touched;
    }

    @Property(tries = 400)
    void mutatedStreamsNeverThrowNeverForgeAndStayBounded(
            @ForAll @IntRange(min = 1, max = 16) int count,
            @ForAll @IntRange(min = 0, max = 12) int mutations,
            @ForAll @IntRange(min = 1, max = 8) int maxInFlight,
            @ForAll @IntRange(min = 0, max = 8_000) int extraBufferedBytes,
            @ForAll Random random) {
        int maxMessageBytes = 2_500;
        ReassemblerOptions options = new ReassemblerOptions(
                maxMessageBytes, maxInFlight, maxMessageBytes + extraBufferedBytes, Duration.ofSeconds(60), false, false);
        FakeClock clock = new FakeClock();
        List<Outcome.Rejected> drops = new ArrayList<>();
        Reassembler reassembler = new Reassembler(options, null, drops::add, clock);
        Map<String, String> messages = messages(random, count, 3_000);
        List<Sent> stream = interleave(random, messages, 64, 300);
        mutate(random, stream, mutations);

        long frameRejections = 0;
        long completions = 0;
        long pendings = 0;
        for (Sent sent : stream) {
            if (random.nextInt(50) == 0) {
                clock.advance(Duration.ofSeconds(random.nextInt(90)));
            }
            Outcome outcome = reassembler.accept(sent.frame());
            assertThat(outcome).isNotNull();
            if (outcome instanceof Outcome.Complete c) {
                completions++;
                if (messages.containsKey(c.messageId())) {
                    assertThat(c.payload().asString()).isEqualTo(messages.get(c.messageId()));
                } else {
                    // A well-formed message of the garbage's own (docs/protocol.md §2.5), not a corrupted one: its
                    // last frame is garbage ("B1" and random text can make a frame such as "B1=2:…").
                    assertThat(sent.messageId()).as("completed by frame %s", sent.frame()).isNull();
                }
            } else if (outcome instanceof Outcome.Rejected rejected) {
                frameRejections++;
                assertThat(rejected.detail()).doesNotStartWith("internal error");
            } else {
                pendings++;
            }
            ReassemblyStats stats = reassembler.stats();
            assertThat(stats.inFlight()).isBetween(0, maxInFlight);
            assertThat(stats.bufferedBytes()).isBetween(0L, options.maxBufferedBytes());
        }
        ReassemblyStats stats = reassembler.stats();
        assertThat(stats.completed()).isEqualTo(completions);
        assertThat(stats.pending()).isEqualTo(pendings);
        assertThat(stats.rejectedTotal()).isEqualTo(frameRejections + drops.size());
    }

    @Property(tries = 300)
    void untouchedMessagesCompleteDespiteCorruptedNeighbours(
            @ForAll @IntRange(min = 2, max = 20) int count,
            @ForAll @IntRange(min = 1, max = 10) int mutations,
            @ForAll Random random) {
        Map<String, String> messages = messages(random, count, 2_000);
        List<Sent> stream = interleave(random, messages, 64, 300);
        Set<String> touched = mutate(random, stream, mutations);
        Reassembler reassembler = new Reassembler(ReassemblerOptions.defaults());

        Map<String, Integer> completions = new HashMap<>();
        for (Sent sent : stream) {
            if (reassembler.accept(sent.frame()) instanceof Outcome.Complete c && !c.messageId().startsWith("junk")) {
                assertThat(c.payload().asString()).isEqualTo(messages.get(c.messageId()));
                completions.merge(c.messageId(), 1, Integer::sum);
            }
        }
        for (String id : messages.keySet()) {
            if (!touched.contains(id)) {
                assertThat(completions.get(id)).as("untouched message %s", id).isEqualTo(1);
            }
        }
    }

    @Property(tries = 100)
    void floodOfMessagesThatNeverEndStaysWithinBounds(
            @ForAll @IntRange(min = 1, max = 5_000) int starts,
            @ForAll @IntRange(min = 1, max = 50) int maxInFlight,
            @ForAll @IntRange(min = 1, max = 5_000) int maxMessageBytes,
            @ForAll @IntRange(min = 0, max = 20_000) int extraBufferedBytes,
            @ForAll Random random) {
        ReassemblerOptions options = new ReassemblerOptions(
                maxMessageBytes, maxInFlight, maxMessageBytes + (long) extraBufferedBytes, Duration.ofSeconds(60), false, false);
        List<Outcome.Rejected> drops = new ArrayList<>();
        Reassembler reassembler = new Reassembler(options, null, drops::add, new FakeClock());
        List<Integer> declared = new ArrayList<>();
        for (int i = 0; i < starts; i++) {
            int size = 1 + random.nextInt(maxMessageBytes);
            declared.add(size);
            String frame = "B1<tiny" + i + ":" + size + ":" + "x".repeat(Math.min(size, 1 + random.nextInt(20)));
            assertThat(reassembler.accept(frame)).isEqualTo(new Outcome.Pending("tiny" + i));
            ReassemblyStats stats = reassembler.stats();
            assertThat(stats.inFlight()).isBetween(1, maxInFlight);
            assertThat(stats.bufferedBytes()).isBetween(1L, options.maxBufferedBytes());
        }
        ReassemblyStats stats = reassembler.stats();
        // The oldest go first, so the newest are the ones still held.
        long newest = declared.subList(starts - stats.inFlight(), starts).stream().mapToLong(Integer::longValue).sum();
        assertThat(stats.bufferedBytes()).isEqualTo(newest);
        assertThat(drops).hasSize(starts - stats.inFlight());
        assertThat(drops).allSatisfy(drop -> assertThat(drop.reason()).isEqualTo(RejectReason.EVICTED));
        List<String> evicted = IntStream.range(0, starts - stats.inFlight()).mapToObj(i -> "tiny" + i).toList();
        assertThat(drops).extracting(Outcome.Rejected::messageId).containsExactlyElementsOf(evicted);
        assertThat(stats.rejected(RejectReason.EVICTED)).isEqualTo(drops.size());
    }

    @Property(tries = 200)
    void messageThatNeverEndsExpires(
            @ForAll @IntRange(min = 64, max = 2_000) int limit,
            @ForAll @IntRange(min = 0, max = 30_000) int extraBytes,
            @ForAll @IntRange(min = 1, max = 3_600) int expireSeconds,
            @ForAll Random random) {
        Duration expireAfter = Duration.ofSeconds(expireSeconds);
        FakeClock clock = new FakeClock(random.nextLong());
        List<Outcome.Rejected> drops = new ArrayList<>();
        Reassembler reassembler = new Reassembler(
                ReassemblerOptions.defaults().withExpireAfter(expireAfter), null, drops::add, clock);
        String message = Fixtures.randomTextOfBytes(random, limit + extraBytes);
        List<String> frames = new FrameEncoder(limit).encode("slow", message);
        assertThat(frames).hasSizeGreaterThan(1);
        long elapsed = 0;
        for (String frame : frames.subList(0, frames.size() - 1)) {
            assertThat(reassembler.accept(frame)).isEqualTo(new Outcome.Pending("slow"));
            long step = (expireAfter.toNanos() - 1 - elapsed) / frames.size();
            clock.advanceNanos(step);
            elapsed += step;
        }
        reassembler.expire();
        assertThat(drops).isEmpty();
        assertThat(reassembler.stats().inFlight()).isEqualTo(1);

        clock.advanceNanos(expireAfter.toNanos() - elapsed);
        reassembler.expire();
        assertThat(drops).singleElement().satisfies(drop -> {
            assertThat(drop.reason()).isEqualTo(RejectReason.EXPIRED);
            assertThat(drop.messageId()).isEqualTo("slow");
        });
        assertThat(reassembler.stats().inFlight()).isZero();
        assertThat(reassembler.stats().bufferedBytes()).isZero();
        Outcome last = reassembler.accept(frames.get(frames.size() - 1));
        assertThat(last).isInstanceOf(Outcome.Rejected.class);
        assertThat(((Outcome.Rejected) last).reason()).isEqualTo(RejectReason.DISCARDED);
    }
}
