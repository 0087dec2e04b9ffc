package dev.bridge.sink.redis;

import dev.bridge.core.BridgeException;
import dev.bridge.core.Change;
import dev.bridge.core.ChangeJson;
import dev.bridge.core.port.Ack;
import dev.bridge.core.port.Acknowledger;
import dev.bridge.core.port.ChangeSink;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pipelines a batch on one connection with automatic flushing off: the first change of every key
 * goes out in one flush; a key's next change is sent only once Redis has answered its previous one
 * (the engine normally sends one change per key per batch). So a change is never written after an
 * earlier change of its key that is to be retried, which keeps pub/sub in order. The stream's
 * repeat check skips a change only if it was added before, so nothing is acknowledged as delivered
 * that Redis does not hold.
 */
final class RedisSink implements ChangeSink {

    private static final Logger log = LoggerFactory.getLogger(RedisSink.class);

    /** How many of an object's added seqs the stream's repeat check remembers: its newest. */
    static final int SEEN_PER_OBJECT = 8;

    /**
     * KEYS: stream, seen-hash. ARGV: object, seq, change JSON, max length ('0': none). Adds the
     * change unless its seq is among the object's newest added ones (the seen hash holds them,
     * newest first): only a change that was added before is a repeat. An older change that never
     * was — a dead letter replayed after later changes went out — is added. A repeat older than
     * what the hash remembers is added again, which at-least-once allows. Seqs are compared as
     * decimal text, as Lua's numbers lose precision past 2^53. Seq 0 (unlogged) is never a repeat.
     */
    private static final String STREAM_SCRIPT = """
            local seq = ARGV[2]
            local kept = {}
            if seq ~= '0' then
              local seen = redis.call('HGET', KEYS[2], ARGV[1])
              if seen then
                for s in string.gmatch(seen, '%d+') do
                  if s == seq then
                    return 0
                  end
                  kept[#kept + 1] = s
                end
              end
            end
            if ARGV[4] == '0' then
              redis.call('XADD', KEYS[1], '*', 'seq', seq, 'change', ARGV[3])
            else
              redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[4], '*', 'seq', seq, 'change', ARGV[3])
            end
            if seq ~= '0' then
              local i = 1
              while i <= #kept and (#kept[i] > #seq or (#kept[i] == #seq and kept[i] > seq)) do
                i = i + 1
              end
              table.insert(kept, i, seq)
              while #kept > SEEN_PER_OBJECT do
                table.remove(kept)
              end
              redis.call('HSET', KEYS[2], ARGV[1], table.concat(kept, ','))
            end
            return 1
            """.replace("SEEN_PER_OBJECT", Integer.toString(SEEN_PER_OBJECT));

    private static final String STREAM_SCRIPT_SHA = sha1Hex(STREAM_SCRIPT);

    private final String name;
    private final RedisSinkOptions options;
    private final Template target;
    private final String where;
    private final byte[] maxLen;
    private final Replies replies;
    private volatile AbstractRedisClient client;
    private volatile StatefulConnection<byte[], byte[]> connection;
    private volatile RedisClusterAsyncCommands<byte[], byte[]> commands;
    private volatile boolean stopped;
    private boolean started;

    RedisSink(String name, RedisSinkOptions options) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank, got '" + name + "'");
        }
        this.name = name;
        this.options = Objects.requireNonNull(options, "options");
        this.target = new Template(options.target());
        this.where = options.safeUri();
        this.maxLen = ascii(Long.toString(options.maxLen().orElse(0)));
        this.replies = new Replies(where, options.commandTimeout());
    }

    @Override
    public String name() {
        return name;
    }

    RedisSinkOptions options() {
        return options;
    }

    /**
     * @throws BridgeException if Redis cannot be reached or refuses the credentials, or the TLS
     *     certificate is not trusted or the CA file is unreadable; the message names the URI without
     *     its password
     */
    @Override
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("redis sink '" + name + "' was started before; a sink serves one engine, once: make a"
                    + " new one for another");
        }
        started = true;
        options.tlsCaFile().filter(caFile -> !Files.isReadable(caFile)).ifPresent(caFile -> {
            throw new BridgeException("redis sink '" + name + "' cannot read its tls-ca-file " + caFile
                    + "; check the sink's tls-ca-file and that the file exists and is readable");
        });
        RedisURI uri = RedisSinkOptions.parse(options.uri());
        uri.setTimeout(options.commandTimeout());
        if (uri.isSsl()) {
            uri.setVerifyPeer(switch (options.tlsVerify()) {
                case FULL -> SslVerifyMode.FULL;
                case CA -> SslVerifyMode.CA;
                case NONE -> SslVerifyMode.NONE;
            });
        }
        SocketOptions socket = SocketOptions.builder().connectTimeout(options.connectTimeout()).build();
        TimeoutOptions timeouts = TimeoutOptions.enabled(options.commandTimeout());
        try {
            // Inside the try: a CA file that is not PEM fails here or on connecting, reported alike.
            SslOptions ssl = options.tlsCaFile()
                    .map(caFile -> SslOptions.builder().jdkSslProvider().trustManager(caFile.toFile()).build())
                    .orElseGet(SslOptions::create);
            ClientOptions clientOptions = ClientOptions.builder()
                    .autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .socketOptions(socket)
                    .sslOptions(ssl)
                    .timeoutOptions(timeouts)
                    .build();
            if (options.cluster()) {
                RedisClusterClient cluster = RedisClusterClient.create(uri);
                client = cluster;
                cluster.setOptions(ClusterClientOptions.builder(clientOptions).build());
                StatefulRedisClusterConnection<byte[], byte[]> c = cluster.connect(ByteArrayCodec.INSTANCE);
                connection = c;
                commands = c.async();
                // Connections to the nodes open lazily, and a command for one still opening is rejected: open them now.
                for (RedisClusterNode node : c.getPartitions()) {
                    if (node.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
                        c.getConnection(node.getUri().getHost(), node.getUri().getPort()).sync().ping();
                    }
                }
            } else {
                RedisClient standalone = RedisClient.create(uri);
                client = standalone;
                standalone.setOptions(clientOptions);
                StatefulRedisConnection<byte[], byte[]> c = standalone.connect(ByteArrayCodec.INSTANCE);
                connection = c;
                commands = c.async();
            }
        } catch (RuntimeException e) {
            shutdownClient();
            String check = isTls(e) ? "check the sink's tls-verify and tls-ca-file and that Redis serves TLS on that port"
                    : "check the sink's uri and password and that Redis is running";
            throw new BridgeException("redis sink '" + name + "' could not connect to redis at " + where + " ("
                    + Replies.rootMessage(e) + "); " + check, e);
        }
        connection.setAutoFlushCommands(false);
        log.info("redis sink '{}' connected to {} ({} to {})", name, where, options.mode(), target);
    }

    private static boolean isTls(Throwable error) {
        for (Throwable e = error; e != null; e = e.getCause() == e ? null : e.getCause()) {
            if (e instanceof javax.net.ssl.SSLException || e instanceof java.security.GeneralSecurityException) {
                return true;
            }
        }
        return false;
    }

    /** Sends every change of the batch at once (they are of distinct keys); each is acknowledged when Redis replies. */
    @Override
    public void deliver(List<Change> batch, Acknowledger acks) {
        for (Change change : batch) {
            send(change).whenComplete((result, error) -> acks.ack(change, error == null ? Ack.delivered() : replies.ackFor(error)));
        }
        flush();
    }

    private CompletionStage<?> send(Change change) {
        RedisClusterAsyncCommands<byte[], byte[]> redis = commands;
        if (stopped || redis == null) {
            return CompletableFuture.failedFuture(new SinkStopped(name));
        }
        try {
            byte[] json = ChangeJson.toBytes(change);
            byte[] key = target.render(change);
            if (options.mode() == RedisSinkOptions.Mode.PUBSUB) {
                return redis.publish(key, json);
            }
            byte[][] keys = {key, seenKey(key)};
            byte[][] args = {object(change), ascii(Long.toString(change.seq())), json, maxLen};
            // By digest, so the script's text is not sent with every change; a server that has not
            // cached it yet (a new or restarted one) answers NOSCRIPT, and then the text goes once.
            return redis.<Long>evalsha(STREAM_SCRIPT_SHA, ScriptOutputType.INTEGER, keys, args).toCompletableFuture()
                    .exceptionallyCompose(error -> {
                        if (!Replies.isNoScript(error)) {
                            return CompletableFuture.failedFuture(error);
                        }
                        CompletionStage<Long> retry = redis.<Long>eval(STREAM_SCRIPT, ScriptOutputType.INTEGER, keys, args);
                        flush();
                        return retry;
                    });
        } catch (RuntimeException e) {
            // A closed or closing connection may throw rather than fail the future.
            return CompletableFuture.failedFuture(e);
        }
    }

    private void flush() {
        StatefulConnection<byte[], byte[]> c = connection;
        if (c == null) {
            return;
        }
        try {
            c.flushCommands();
        } catch (RuntimeException e) {
            // The commands' futures fail on their own and are acknowledged as retry.
            log.debug("redis sink '{}': flushing commands to {} failed", name, where, e);
        }
    }

    /**
     * The hash of each object's newest added seqs, in the stream's cluster slot: the stream key's own
     * hash tag if it has one, else the whole key as the tag.
     */
    static byte[] seenKey(byte[] streamKey) {
        String key = new String(streamKey, StandardCharsets.UTF_8);
        int open = key.indexOf('{');
        int close = open < 0 ? -1 : key.indexOf('}', open + 1);
        boolean tagged = close > open + 1;
        return (tagged ? key + ":seen" : "{" + key + "}:seen").getBytes(StandardCharsets.UTF_8);
    }

    /** The object's field in the seen hash: the bucket's length keeps bucket and id apart. */
    private static byte[] object(Change change) {
        return (change.bucket().length() + ":" + change.bucket() + change.id()).getBytes(StandardCharsets.UTF_8);
    }

    private static String sha1Hex(String text) {
        try {
            return java.util.HexFormat.of().formatHex(
                    java.security.MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every JVM", e);
        }
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** Closes the connection; commands still waiting for replies fail and are acknowledged as retry. */
    @Override
    public synchronized void stop() {
        stopped = true;
        StatefulConnection<byte[], byte[]> c = connection;
        if (c != null) {
            try {
                c.close();
            } catch (RuntimeException e) {
                log.warn("redis sink '{}': closing the connection to {} failed: {}", name, where, e.toString());
            }
        }
        shutdownClient();
    }

    private void shutdownClient() {
        AbstractRedisClient c = client;
        client = null;
        if (c != null) {
            try {
                c.shutdown(Duration.ZERO, options.commandTimeout());
            } catch (RuntimeException e) {
                log.warn("redis sink '{}': shutting down the client for {} failed: {}", name, where, e.toString());
            }
        }
    }

    @Override
    public String toString() {
        return "redis sink '" + name + "' (" + options.mode() + " to " + target + " at " + where + ")";
    }

    /** A change offered after stop, or while stopping. */
    static final class SinkStopped extends BridgeException {
        SinkStopped(String name) {
            super("redis sink '" + name + "' stopped before sending the change");
        }
    }
}
