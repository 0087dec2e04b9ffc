package dev.bridge.benchmarks;

import dev.bridge.core.protocol.FrameEncoder;
import dev.bridge.core.protocol.Outcome;
import dev.bridge.core.protocol.Payload;
import dev.bridge.core.protocol.Reassembler;
import dev.bridge.core.protocol.ReassemblerOptions;
import dev.bridge.core.protocol.ReassemblyStats;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Messages reassembled per second by one long-lived {@link Reassembler} (default options) fed all
 * the 7999-byte frames of a JSON change, with and without turning the payload into a String. The
 * baseline, {@link #baselineConcat}, only concatenates the frames' bodies (no parsing, no checks).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class ReassemblyBenchmark {

    /** Messages with distinct ids, fed in turn, as the trigger's ever-increasing ids would be. */
    private static final int MESSAGES = 4;

    @Param({"200", "8192", "65536", "1048576"})
    int payloadBytes;

    /** {@code frames[m]} are the frames of message {@code m}. */
    String[][] frames;
    /** {@code bodyStarts[m][f]} is where the body of {@code frames[m][f]} starts. */
    int[][] bodyStarts;
    Reassembler reassembler;
    int next;

    @Setup(Level.Trial)
    public void setUp() {
        String json = ChangePayloads.json(payloadBytes);
        FrameEncoder encoder = new FrameEncoder();
        frames = new String[MESSAGES][];
        bodyStarts = new int[MESSAGES][];
        for (int m = 0; m < MESSAGES; m++) {
            List<String> encoded = encoder.encode(Long.toHexString(0x1f40_0000L + m), json);
            frames[m] = encoded.toArray(new String[0]);
            bodyStarts[m] = new int[frames[m].length];
            for (int f = 0; f < frames[m].length; f++) {
                bodyStarts[m][f] = bodyStart(frames[m][f]);
            }
        }
        reassembler = new Reassembler(ReassemblerOptions.defaults());
        // Fail loudly if the benchmark would measure anything but a correct reassembly.
        for (int m = 0; m < MESSAGES; m++) {
            next = m;
            Payload payload = reassemble();
            if (payload.size() != payloadBytes || !payload.asString().equals(json)) {
                throw new IllegalStateException("reassembled " + payload.size() + " bytes, not the "
                        + payloadBytes + "-byte message sent");
            }
            String concat = baselineConcat();
            if (!concat.equals(json)) {
                throw new IllegalStateException("the baseline's body offsets are wrong");
            }
        }
        next = 0;
        requireClean();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        requireClean();
    }

    /** Feeds all frames of one message and returns its payload (segments, no contiguous copy). */
    @Benchmark
    public Payload reassemble() {
        String[] message = frames[next];
        next = (next + 1) % MESSAGES;
        Outcome outcome = null;
        for (String frame : message) {
            outcome = reassembler.accept(frame);
        }
        if (outcome instanceof Outcome.Complete complete) {
            return complete.payload();
        }
        throw new IllegalStateException("last frame did not complete the message: " + outcome);
    }

    /** As {@link #reassemble}, then the contiguous String a JSON parser or sink would want. */
    @Benchmark
    public String reassembleToString() {
        return reassemble().asString();
    }

    /** The reference: concatenates the same frames' bodies (offsets precomputed) into one String. */
    @Benchmark
    public String baselineConcat() {
        String[] message = frames[next];
        int[] starts = bodyStarts[next];
        next = (next + 1) % MESSAGES;
        StringBuilder sb = new StringBuilder(payloadBytes);
        for (int f = 0; f < message.length; f++) {
            sb.append(message[f], starts[f], message[f].length());
        }
        return sb.toString();
    }

    private void requireClean() {
        ReassemblyStats stats = reassembler.stats();
        if (stats.rejectedTotal() != 0 || stats.inFlight() != 0 || stats.bufferedBytes() != 0) {
            throw new IllegalStateException("the reassembler rejected frames or kept state: " + stats);
        }
    }

    /** After the kind and id, and after the size or index unless the frame is single. */
    private static int bodyStart(String frame) {
        int colon = frame.indexOf(':');
        return frame.charAt(2) == '=' ? colon + 1 : frame.indexOf(':', colon + 1) + 1;
    }
}
