package dev.bridge.benchmarks.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import redis.embedded.RedisServer;

/**
 * The Redis server of a load test: an embedded one on a free port of this machine (no
 * persistence: pub/sub keeps nothing), or a given one.
 */
final class Redis implements AutoCloseable {

    private final String uri;
    private final RedisServer embedded;
    private final Path dir;

    private Redis(String uri, RedisServer embedded, Path dir) {
        this.uri = uri;
        this.embedded = embedded;
        this.dir = dir;
    }

    /**
     * The embedded server never cuts off a slow subscriber ({@code client-output-buffer-limit
     * pubsub 0 0 0}): the subscriber is the measuring instrument, and a disconnect would show up
     * as changes lost by the path under test.
     */
    static Redis embedded() {
        try {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            Path dir = Files.createTempDirectory("bridge-load-redis-");
            RedisServer server = RedisServer.newRedisServer().port(port).bind("127.0.0.1")
                    .setting("dir " + dir)
                    .setting("appendonly no")
                    .setting("save \"\"")
                    .setting("client-output-buffer-limit pubsub 0 0 0")
                    .build();
            server.start();
            return new Redis("redis://127.0.0.1:" + port, server, dir);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the embedded Redis", e);
        }
    }

    static Redis given(String uri) {
        return new Redis(uri, null, null);
    }

    String uri() {
        return uri;
    }

    String describe() {
        return embedded != null ? "embedded Redis at " + uri : "Redis at " + uri.replaceAll("//[^@/]*@", "//***@");
    }

    @Override
    public void close() throws IOException {
        if (embedded != null) {
            embedded.stop();
            Files.deleteIfExists(dir);
        }
    }
}
