package dev.bridge.sink.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import redis.embedded.RedisServer;

/**
 * A real Redis server on a free port for one test class, with an append-only file synced on every
 * write so that stopping and starting it (an outage) loses nothing it acknowledged.
 */
final class TestRedis implements AutoCloseable {

    final int port;
    private final RedisServer server;
    private final RedisClient adminClient;
    private StatefulRedisConnection<byte[], byte[]> admin;

    TestRedis(String... settings) {
        try {
            port = freePort();
            Path dir = Files.createTempDirectory("bridge-redis-");
            var builder = RedisServer.newRedisServer().port(port).bind("127.0.0.1")
                    .setting("dir " + dir)
                    .setting("appendonly yes")
                    .setting("appendfsync always")
                    .setting("save \"\"");
            for (String s : settings) {
                builder.setting(s);
            }
            server = builder.build();
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        adminClient = RedisClient.create(uri());
    }

    String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** Commands as the default user, over a connection that survives restarts. */
    synchronized RedisCommands<byte[], byte[]> admin() {
        if (admin == null) {
            admin = adminClient.connect(ByteArrayCodec.INSTANCE);
        }
        return admin.sync();
    }

    void stop() {
        try {
            server.stop();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void start() {
        try {
            if (!server.isActive()) {
                server.start();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<Integer> ports() {
        return server.ports();
    }

    @Override
    public void close() {
        if (admin != null) {
            admin.close();
        }
        adminClient.shutdown();
        stop();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
