package dev.bridge.sink.redis;

import dev.bridge.core.Secrets;
import io.lettuce.core.RedisURI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The settings of one Redis sink, validated on construction. Immutable and thread-safe.
 *
 * <p>{@code target} is a template for the channel (pub/sub) or stream key (stream) of each change:
 * {@code {bucket}}, {@code {id}} and {@code {op}} are replaced by the change's bucket, id and
 * operation ({@code INSERT}, {@code UPDATE}, {@code DELETE}); any other text, including other braces,
 * is kept as written, so {@code bridge:{{bucket}}} gives the Redis Cluster hash tag
 * {@code bridge:{orders}}.
 *
 * @param uri {@code redis://} or {@code rediss://} (TLS) URI with optional user, password and
 *     database, e.g. {@code redis://:secret@cache:6379/2}; for a cluster, any one node
 * @param mode where each change goes
 * @param target the channel or stream key template; not blank
 * @param maxLen stream mode only: trim the stream to about this many entries (positive); empty for
 *     no trimming
 * @param commandTimeout how long one command may wait for its reply; positive
 * @param connectTimeout how long opening a connection may take; positive
 * @param cluster whether {@code uri} names a node of a Redis Cluster
 * @param tlsVerify {@code rediss://} only: how the server's certificate is checked; it overrides a
 *     {@code verifyPeer} parameter in {@code uri}
 * @param tlsCaFile {@code rediss://} only: a PEM file of the CA certificates to trust instead of the
 *     JDK's default trust store; empty for the default. Read when the sink starts.
 */
public record RedisSinkOptions(String uri, Mode mode, String target, OptionalLong maxLen, Duration commandTimeout,
        Duration connectTimeout, boolean cluster, TlsVerify tlsVerify, Optional<Path> tlsCaFile) {

    /** Where a change goes. */
    public enum Mode {
        /** {@code PUBLISH} the change's JSON to the target channel: at most once for subscribers. */
        PUBSUB,
        /** {@code XADD} the change to the target stream, once per change id. */
        STREAM
    }

    /** How a TLS server's certificate is checked. */
    public enum TlsVerify {
        /** Signed by a trusted CA and issued for the host in the URI. */
        FULL,
        /** Signed by a trusted CA, for any host. */
        CA,
        /** Not checked: the connection is encrypted but not authenticated. For tests only. */
        NONE
    }

    /**
     * Publishes each change to the channel {@code bridge:{bucket}} of the server at {@code uri}, every
     * other option at its default (as {@code bridge.sink.redis} in this module's reference.conf):
     * commands time out after 5 s, connecting after 10 s, a standalone server, and for
     * {@code rediss://} the certificate verified in full against the JDK's trust store.
     */
    public static RedisSinkOptions pubsub(String uri) {
        return new RedisSinkOptions(uri, Mode.PUBSUB, DEFAULT_TARGET, OptionalLong.empty(), Duration.ofSeconds(5),
                Duration.ofSeconds(10), false, TlsVerify.FULL, Optional.empty());
    }

    /** As {@link #pubsub(String)}, adding each change to the stream {@code bridge:{bucket}} instead, untrimmed. */
    public static RedisSinkOptions stream(String uri) {
        return pubsub(uri).withMode(Mode.STREAM);
    }

    private static final String DEFAULT_TARGET = "bridge:{bucket}";

    public RedisSinkOptions withMode(Mode value) {
        return new RedisSinkOptions(uri, value, target, maxLen, commandTimeout, connectTimeout, cluster, tlsVerify, tlsCaFile);
    }

    /** The channel (pub/sub) or stream key (stream) template; see the class comment. */
    public RedisSinkOptions withTarget(String value) {
        return new RedisSinkOptions(uri, mode, value, maxLen, commandTimeout, connectTimeout, cluster, tlsVerify, tlsCaFile);
    }

    /** Stream mode: trims each stream to about {@code entries} entries. */
    public RedisSinkOptions withMaxLen(long entries) {
        return new RedisSinkOptions(uri, mode, target, OptionalLong.of(entries), commandTimeout, connectTimeout, cluster, tlsVerify,
                tlsCaFile);
    }

    public RedisSinkOptions withTimeouts(Duration command, Duration connect) {
        return new RedisSinkOptions(uri, mode, target, maxLen, command, connect, cluster, tlsVerify, tlsCaFile);
    }

    /** {@code uri} names one node of a Redis Cluster. */
    public RedisSinkOptions inCluster() {
        return new RedisSinkOptions(uri, mode, target, maxLen, commandTimeout, connectTimeout, true, tlsVerify, tlsCaFile);
    }

    /** {@code rediss://} only: how the certificate is checked, and against which CA file (empty: the JDK's trust store). */
    public RedisSinkOptions withTls(TlsVerify verify, Optional<Path> caFile) {
        return new RedisSinkOptions(uri, mode, target, maxLen, commandTimeout, connectTimeout, cluster, verify, caFile);
    }

    public RedisSinkOptions {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(maxLen, "maxLen");
        Objects.requireNonNull(commandTimeout, "commandTimeout");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(tlsVerify, "tlsVerify");
        Objects.requireNonNull(tlsCaFile, "tlsCaFile");
        boolean tls = parse(uri).isSsl();
        if (target.isBlank()) {
            throw new IllegalArgumentException("target must not be blank, got '" + target + "'");
        }
        if (maxLen.isPresent() && maxLen.getAsLong() <= 0) {
            throw new IllegalArgumentException("maxLen must be positive, got " + maxLen.getAsLong());
        }
        if (maxLen.isPresent() && mode != Mode.STREAM) {
            throw new IllegalArgumentException("maxLen applies to stream mode only, got mode " + mode);
        }
        if (commandTimeout.isZero() || commandTimeout.isNegative()) {
            throw new IllegalArgumentException("commandTimeout must be positive, got " + commandTimeout);
        }
        if (connectTimeout.isZero() || connectTimeout.isNegative()) {
            throw new IllegalArgumentException("connectTimeout must be positive, got " + connectTimeout);
        }
        if (tlsCaFile.isPresent() && !tls) {
            throw new IllegalArgumentException("tlsCaFile applies to rediss:// URIs only, got " + Secrets.maskUri(uri));
        }
    }

    /** The URI without its user info and query, for messages and logs. */
    public String safeUri() {
        return Secrets.maskUri(uri);
    }

    /** The password never appears: records print their components, and the URI may hold one. */
    @Override
    public String toString() {
        return "RedisSinkOptions[uri=" + safeUri() + ", mode=" + mode + ", target=" + target + ", maxLen=" + maxLen
                + ", commandTimeout=" + commandTimeout + ", connectTimeout=" + connectTimeout + ", cluster=" + cluster
                + ", tlsVerify=" + tlsVerify + ", tlsCaFile=" + tlsCaFile + "]";
    }

    static RedisURI parse(String uri) {
        if (!uri.startsWith("redis://") && !uri.startsWith("rediss://")) {
            throw new IllegalArgumentException("uri must start with redis:// or rediss://, got '" + Secrets.maskUri(uri) + "'");
        }
        // Lettuce takes a port that is not a number as part of the host name, and fails only when it connects.
        java.net.URI parsed;
        try {
            parsed = new java.net.URI(uri);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("uri is not a valid Redis URI (" + e.getReason() + "), got '" + Secrets.maskUri(uri) + "'");
        }
        if (parsed.getHost() == null || parsed.getPort() == 0 || parsed.getPort() > 65535) {
            throw new IllegalArgumentException("uri needs a host (letters, digits, '-' and '.') and, if not 6379, a port from 1 to"
                    + " 65535, as redis://host:port/database, got '" + Secrets.maskUri(uri) + "'");
        }
        try {
            return RedisURI.create(uri);
        } catch (RuntimeException e) {
            // Lettuce's message may quote the URI, password included.
            throw new IllegalArgumentException("uri is not a valid Redis URI, got '" + Secrets.maskUri(uri) + "'");
        }
    }
}
