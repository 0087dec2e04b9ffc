package dev.bridge.sink.redis;

import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.Objects;
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
 */
public record RedisSinkOptions(String uri, Mode mode, String target, OptionalLong maxLen, Duration commandTimeout,
        Duration connectTimeout, boolean cluster) {

    /** Where a change goes. */
    public enum Mode {
        /** {@code PUBLISH} the change's JSON to the target channel: at most once for subscribers. */
        PUBSUB,
        /** {@code XADD} the change to the target stream, once per change id. */
        STREAM
    }

    public RedisSinkOptions {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(maxLen, "maxLen");
        Objects.requireNonNull(commandTimeout, "commandTimeout");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        parse(uri);
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
    }

    /** The URI without its password, for messages and logs. */
    public String safeUri() {
        return SafeUri.of(parse(uri));
    }

    /** The password never appears: records print their components, and the URI may hold one. */
    @Override
    public String toString() {
        return "RedisSinkOptions[uri=" + safeUri() + ", mode=" + mode + ", target=" + target + ", maxLen=" + maxLen
                + ", commandTimeout=" + commandTimeout + ", connectTimeout=" + connectTimeout + ", cluster=" + cluster + "]";
    }

    static RedisURI parse(String uri) {
        if (!uri.startsWith("redis://") && !uri.startsWith("rediss://")) {
            throw new IllegalArgumentException("uri must start with redis:// or rediss://, got '" + SafeUri.masked(uri) + "'");
        }
        try {
            return RedisURI.create(uri);
        } catch (RuntimeException e) {
            // Lettuce's message may quote the URI, password included.
            throw new IllegalArgumentException("uri is not a valid Redis URI, got '" + SafeUri.masked(uri) + "'");
        }
    }
}
