package dev.bridge.benchmarks;

import dev.bridge.core.Change;
import dev.bridge.core.ChangeJson;
import dev.bridge.core.Json;
import dev.bridge.core.Op;
import dev.bridge.core.port.Ack;
import dev.bridge.core.port.ChangeSink;
import dev.bridge.sink.redis.RedisSinkOptions;
import dev.bridge.sink.redis.RedisSinkProvider;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import redis.embedded.RedisServer;

/**
 * Changes per second the Redis sink publishes to a local Redis (embedded, 6.2, no persistence):
 * each invocation delivers one batch (of 1 or 100 changes) through {@link ChangeSink#deliver} and
 * waits until every change of it is acknowledged as delivered; scores are in changes per second. The baselines, {@code baselineLettuce*}, send the same changes'
 * JSON with the plain command (PUBLISH, or XADD without the sink's repeat-check script) over one
 * bare Lettuce connection, pipelined and awaited the same way: what Redis and the client cost
 * without the sink.
 *
 * <p>Every change has a fresh, increasing seq and, within a batch, its own object id (ids cycle
 * through {@link #OBJECTS}), so stream mode never sees a repeat. Streams are trimmed to about
 * {@link #MAX_LEN} entries so that memory stays bounded over a run.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class RedisPublishBenchmark {

    private static final int OBJECTS = 10_000;
    private static final long MAX_LEN = 10_000;
    private static final long FIRST_SEQ = 1_000_000_000L;
    private static final Instant TS = Instant.parse("2026-11-24T10:15:30.123456Z");
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final byte[] SEQ = "seq".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CHANGE = "change".getBytes(StandardCharsets.US_ASCII);
    private static final XAddArgs TRIM = XAddArgs.Builder.maxlen(MAX_LEN).approximateTrimming();

    /** The size of each change's JSON, in bytes. */
    @Param({"200", "4096"})
    int payloadBytes;

    @Param({"pubsub", "stream"})
    String mode;

    private boolean stream;
    private RedisServer server;
    private ChangeSink sink;
    private RedisClient client;
    private StatefulRedisConnection<byte[], byte[]> connection;
    private byte[] target;
    private Json val;
    private long seq = FIRST_SEQ;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        int port = freePort();
        server = RedisServer.newRedisServer().port(port).bind("127.0.0.1")
                .setting("dir " + Files.createTempDirectory("bridge-bench-redis-"))
                .setting("appendonly no")
                .setting("save \"\"")
                .build();
        server.start();
        String uri = "redis://127.0.0.1:" + port;
        stream = mode.equals("stream");
        sink = RedisSinkProvider.sink("bench", (stream ? RedisSinkOptions.stream(uri).withMaxLen(MAX_LEN) : RedisSinkOptions.pubsub(uri))
                .withTimeouts(TIMEOUT, TIMEOUT));
        sink.start();
        client = RedisClient.create(uri);
        connection = client.connect(ByteArrayCodec.INSTANCE);
        connection.setAutoFlushCommands(false);
        target = "baseline:orders".getBytes(StandardCharsets.UTF_8);
        val = valFor(payloadBytes);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        sink.stop();
        connection.close();
        client.shutdown();
        server.stop();
    }

    @Benchmark
    @OperationsPerInvocation(1)
    public void sinkBatch1() throws InterruptedException {
        deliver(1);
    }

    @Benchmark
    @OperationsPerInvocation(100)
    public void sinkBatch100() throws InterruptedException {
        deliver(100);
    }

    @Benchmark
    @OperationsPerInvocation(1)
    public void baselineLettuceBatch1() throws Exception {
        send(1);
    }

    @Benchmark
    @OperationsPerInvocation(100)
    public void baselineLettuceBatch100() throws Exception {
        send(100);
    }

    /** One batch through the sink, until every change of it is acknowledged as delivered. */
    private void deliver(int batch) throws InterruptedException {
        List<Change> changes = nextBatch(batch);
        CountDownLatch pending = new CountDownLatch(changes.size());
        AtomicReference<Ack> notDelivered = new AtomicReference<>();
        sink.deliver(changes, (change, ack) -> {
            if (!(ack instanceof Ack.Delivered)) {
                notDelivered.compareAndSet(null, ack);
            }
            pending.countDown();
        });
        if (!pending.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("the sink did not acknowledge the batch within " + TIMEOUT);
        }
        if (notDelivered.get() != null) {
            throw new IllegalStateException("a change was not delivered: " + notDelivered.get());
        }
    }

    /** The same changes' JSON with the plain command, pipelined in one flush, until all replies are in. */
    private void send(int batch) throws Exception {
        List<Change> changes = nextBatch(batch);
        RedisAsyncCommands<byte[], byte[]> redis = connection.async();
        List<RedisFuture<?>> replies = new ArrayList<>(changes.size());
        for (Change change : changes) {
            byte[] json = ChangeJson.toBytes(change);
            replies.add(stream
                    ? redis.xadd(target, TRIM, Map.of(SEQ, ascii(change.seq()), CHANGE, json))
                    : redis.publish(target, json));
        }
        connection.flushCommands();
        for (RedisFuture<?> reply : replies) {
            reply.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private List<Change> nextBatch(int batch) {
        List<Change> changes = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            changes.add(change(seq++, val));
        }
        return changes;
    }

    /** Ids have five digits (10000..19999) and seqs ten, so every change's JSON has the same size. */
    private static Change change(long s, Json val) {
        return new Change(Op.UPDATE, "orders", Long.toString(OBJECTS + s % OBJECTS), 7, TS, val, null, s);
    }

    /** A row whose note pads the change's JSON to exactly {@code bytes} bytes. */
    private static Json valFor(int bytes) {
        Json empty = Json.of(Map.of("status", "paid", "note", ""));
        int fixed = ChangeJson.toBytes(change(FIRST_SEQ, empty)).length;
        if (bytes < fixed) {
            throw new IllegalArgumentException("a change needs at least " + fixed + " bytes, asked for " + bytes);
        }
        Json padded = Json.of(Map.of("status", "paid", "note", "x".repeat(bytes - fixed)));
        int size = ChangeJson.toBytes(change(FIRST_SEQ, padded)).length;
        if (size != bytes) {
            throw new IllegalStateException("built a " + size + "-byte change, wanted " + bytes);
        }
        return padded;
    }

    private static byte[] ascii(long n) {
        return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
