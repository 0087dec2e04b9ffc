package dev.bridge.sink.redis;

import dev.bridge.core.InvalidSettingException;
import dev.bridge.core.port.ChangeSink;
import dev.bridge.core.port.SinkProvider;
import dev.bridge.core.settings.Settings;
import dev.bridge.core.settings.SettingsProblems;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The {@code redis} sink type: publishes each change's JSON ({@code docs/protocol.md} §1) to a
 * pub/sub channel, or adds it to a stream once per change id. For both, configure two sinks.
 *
 * <p>Settings (their meaning, units and defaults are in this module's {@code reference.conf} under
 * {@code bridge.sink.redis}, which the application lays beneath each block; the provider keeps no
 * defaults of its own): {@code uri}, {@code mode} ({@code pubsub} or {@code stream}), {@code channel}
 * (pub/sub) or {@code stream} (stream key), {@code max-len}, {@code command-timeout},
 * {@code connect-timeout}, {@code cluster}, {@code tls-verify}, {@code tls-ca-file}.
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
     * @throws dev.bridge.core.InvalidSettingException if settings are missing or invalid: one
     *     exception that names every such setting, with its path and problem (each also attached
     *     as a suppressed exception); the message never shows the password
     */
    @Override
    public ChangeSink create(String name, Settings settings) {
        SettingsProblems problems = new SettingsProblems(settings);
        String uri = problems.check(() -> settings.requireString("uri"));
        boolean tls = false;
        if (uri != null) {
            try {
                tls = RedisSinkOptions.parse(uri).isSsl();
            } catch (IllegalArgumentException e) {
                problems.add(settings.invalid("uri", e.getMessage().replaceFirst("^uri ", "")));
                uri = null;
            }
        }
        RedisSinkOptions.Mode mode = problems.check(() -> {
            String text = settings.requireString("mode");
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "pubsub" -> RedisSinkOptions.Mode.PUBSUB;
                case "stream" -> RedisSinkOptions.Mode.STREAM;
                default -> throw settings.invalid("mode", "must be pubsub or stream, got '" + text + "'");
            };
        });
        String target = mode == null ? null
                : problems.check(() -> settings.requireString(mode == RedisSinkOptions.Mode.PUBSUB ? "channel" : "stream"));
        OptionalLong maxLen = OptionalLong.empty();
        if (mode == RedisSinkOptions.Mode.STREAM) {
            Integer max = problems.check(() -> {
                int m = settings.integer("max-len").orElseThrow(() -> settings.invalid("max-len", "is required; set it in the sink's block"));
                if (m < 0) {
                    throw settings.invalid("max-len", "must be 0 (no trimming) or a positive number of entries, got " + m);
                }
                return m;
            });
            maxLen = max == null || max == 0 ? OptionalLong.empty() : OptionalLong.of(max);
        }
        Duration commandTimeout = problems.check(() -> settings.duration("command-timeout", true));
        Duration connectTimeout = problems.check(() -> settings.duration("connect-timeout", true));
        Boolean cluster = problems.check(() -> settings.requireBool("cluster"));
        RedisSinkOptions.TlsVerify tlsVerify = problems.check(() -> {
            String text = settings.requireString("tls-verify");
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "full" -> RedisSinkOptions.TlsVerify.FULL;
                case "ca" -> RedisSinkOptions.TlsVerify.CA;
                case "none" -> RedisSinkOptions.TlsVerify.NONE;
                default -> throw settings.invalid("tls-verify", "must be full, ca or none, got '" + text + "'");
            };
        });
        boolean overTls = tls;
        boolean uriValid = uri != null;
        Optional<Path> tlsCaFile = problems.check(() -> {
            String file = settings.string("tls-ca-file").orElse("");
            if (file.isBlank()) {
                return Optional.<Path>empty();
            }
            if (uriValid && !overTls) {
                throw settings.invalid("tls-ca-file", "applies to rediss:// URIs only; use rediss:// in uri or leave tls-ca-file empty");
            }
            try {
                return Optional.of(Path.of(file));
            } catch (InvalidPathException e) {
                throw settings.invalid("tls-ca-file", "must be a file path, got '" + file + "' (" + e.getReason() + ")");
            }
        });
        problems.throwIfAny();
        return new RedisSink(name, new RedisSinkOptions(uri, mode, target, maxLen, commandTimeout, connectTimeout, cluster,
                tlsVerify, tlsCaFile));
    }

    /**
     * A Redis sink for library use and tests; unstarted.
     *
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static ChangeSink sink(String name, RedisSinkOptions options) {
        return new RedisSink(name, options);
    }
}
