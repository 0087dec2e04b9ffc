package dev.bridge.benchmarks;

import dev.bridge.core.protocol.FrameEncoder;
import java.util.ArrayList;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Messages cut into 7999-byte frames per second by {@link FrameEncoder#encode(String, String)} for a
 * JSON change. The baseline, {@link #baselineSplit}, builds the same frames from precomputed cut
 * points by String concatenation of header and substring (no UTF-8 encoding, no boundary search).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class EncoderBenchmark {

    @Param({"200", "8192", "65536", "1048576"})
    int payloadBytes;

    String messageId;
    String json;
    FrameEncoder encoder;
    /** The header of each frame {@code encode} makes, and where its body starts and ends in {@link #json}. */
    String[] headers;
    int[] from;
    int[] to;

    @Setup(Level.Trial)
    public void setUp() {
        messageId = Long.toHexString(0x1f40_0000L);
        json = ChangePayloads.json(payloadBytes);
        encoder = new FrameEncoder();
        List<String> frames = encoder.encode(messageId, json);
        headers = new String[frames.size()];
        from = new int[frames.size()];
        to = new int[frames.size()];
        int pos = 0;
        for (int f = 0; f < frames.size(); f++) {
            String frame = frames.get(f);
            int colon = frame.indexOf(':');
            int bodyStart = frame.charAt(2) == '=' ? colon + 1 : frame.indexOf(':', colon + 1) + 1;
            headers[f] = frame.substring(0, bodyStart);
            from[f] = pos;
            pos += frame.length() - bodyStart; // ASCII: characters are bytes
            to[f] = pos;
        }
        if (pos != payloadBytes || !baselineSplit().equals(frames)) {
            throw new IllegalStateException("the baseline does not build the encoder's frames");
        }
    }

    @Benchmark
    public List<String> encode() {
        return encoder.encode(messageId, json);
    }

    /** The reference: the same frames, cut at known points, with no encoding or checks. */
    @Benchmark
    public List<String> baselineSplit() {
        List<String> frames = new ArrayList<>(headers.length);
        for (int f = 0; f < headers.length; f++) {
            frames.add(headers[f].concat(json.substring(from[f], to[f])));
        }
        return frames;
    }
}
