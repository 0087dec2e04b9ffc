package dev.bridge.sink.redis;

import dev.bridge.core.port.ChangeSink;
import dev.bridge.core.port.SinkProvider;
import dev.bridge.core.port.SinkSettings;
import java.time.Duration;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * The {@code redis} sink type: publishes each change's JSON ({@code docs/protocol.md} §1) to a
 * pub/sub channel, or adds it to a stream once per change id. For both, configure two sinks.
 *
 * <p>Settings (their meaning, units and defaults are in this module's {@code reference.conf} under
 * {@code bridge.sinks.redis}, which the application lays beneath each block; the provider keeps no
 * defaults of its own): {@code uri}, {@code mode} ({@code pubsub} or {@code stream}), {@code channel}
 * (pub/sub) or {@code stream} (stream key), {@code max-len}, {@code command-timeout},
 * {@code connect-timeout}, {@code cluster}.
 *
 * <p>Acknowledgements: delivered once Redis has replied; retry for lost connections, timeouts and
 * other transient replies; failed, with the server's message, for WRONGTYPE and NOPERM. While
 * Redis is unreachable commands fail at once and the connection comes back by itself. In stream
 * mode a change whose seq Redis already has for its object is acknowledged as delivered without a
 * second entry. Messages name the URI without its password.
 */
public final class RedisSinkProvider implements SinkProvider {

    /** For {@link java.util.ServiceLoader}. */
    public RedisSinkProvider() {
    }

    @Override
    public String type() {
        return "redis";
    }

    /**
     * @throws dev.bridge.core.InvalidSettingException if a setting is missing or invalid; the
     *     message never shows the password
     */
    @Override
    public ChangeSink create(String name, SinkSettings settings) {
        String uri = settings.requireString("uri");
        try {
            RedisSinkOptions.parse(uri);
        } catch (IllegalArgumentException e) {
            throw settings.invalid("uri", e.getMessage().replaceFirst("^uri ", ""));
        }
        String modeText = settings.requireString("mode");
        RedisSinkOptions.Mode mode = switch (modeText.toLowerCase(Locale.ROOT)) {
            case "pubsub" -> RedisSinkOptions.Mode.PUBSUB;
            case "stream" -> RedisSinkOptions.Mode.STREAM;
            default -> throw settings.invalid("mode", "must be pubsub or stream, got '" + modeText + "'");
        };
        String target = settings.requireString(mode == RedisSinkOptions.Mode.PUBSUB ? "channel" : "stream");
        OptionalLong maxLen = OptionalLong.empty();
        if (mode == RedisSinkOptions.Mode.STREAM) {
            int max = settings.integer("max-len").orElse(0);
            if (max < 0) {
                throw settings.invalid("max-len", "must be 0 (no trimming) or a positive number of entries, got " + max);
            }
            maxLen = max == 0 ? OptionalLong.empty() : OptionalLong.of(max);
        }
        Duration commandTimeout = positive(settings, "command-timeout");
        Duration connectTimeout = positive(settings, "connect-timeout");
        boolean cluster = settings.bool("cluster").orElse(false);
        return new RedisSink(name, new RedisSinkOptions(uri, mode, target, maxLen, commandTimeout, connectTimeout, cluster));
    }

    /**
     * A Redis sink for library use and tests; unstarted.
     *
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static ChangeSink sink(String name, RedisSinkOptions options) {
        return new RedisSink(name, options);
    }

    private static Duration positive(SinkSettings settings, String key) {
        Duration d = settings.duration(key).orElseThrow(() -> settings.invalid(key, "is required; set it in the sink's block"));
        if (d.isZero()) {
            throw settings.invalid(key, "must be positive, got " + d);
        }
        return d;
    }
}
