package dev.bridge.sink.webhook;

import dev.bridge.core.port.ChangeSink;
import dev.bridge.core.port.SinkProvider;
import dev.bridge.core.port.SinkSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The {@code webhook} sink type: POSTs each change's JSON ({@code docs/protocol.md} §1), or each
 * batch as a JSON array, to one HTTP endpoint, signed per Standard Webhooks. See {@code docs/webhooks.md}.
 *
 * <p>Settings (their meaning, units and defaults are in this module's {@code reference.conf} under
 * {@code bridge.sink.webhook}, which the application lays beneath each block; the provider keeps no
 * defaults of its own): {@code url}, {@code headers}, {@code secrets}, {@code timeout},
 * {@code connect-timeout}, {@code max-in-flight}, {@code batch}, {@code tls-ca-file}, {@code max-request-bytes}. The {@code delivery.retry} block there is the
 * engine's, not the sink's.
 *
 * <p>Acknowledgements: delivered on 2xx; retry, no earlier than its {@code Retry-After}, on 429 and
 * 503; retry on 408, 425, other 5xx, timeouts and network errors; failed on 410 Gone, which also
 * disables the endpoint (later changes fail without a request) until the configuration changes;
 * failed with the status and the start of the body on other answers. Messages and logs never show
 * secrets, secret-looking header values or the URL's user info.
 *
 * <p>{@link ChangeSink#counters()}: {@code requests}, {@code responses_2xx} to {@code responses_5xx},
 * {@code timeouts}, {@code network_errors} and {@code gone_dead_lettered} (see {@code docs/webhooks.md}).
 */
public final class WebhookSinkProvider implements SinkProvider {

    /** For {@link java.util.ServiceLoader}. */
    public WebhookSinkProvider() {
    }

    @Override
    public String type() {
        return "webhook";
    }

    /**
     * @throws dev.bridge.core.InvalidSettingException if a setting is missing or invalid; the
     *     message never shows a secret
     */
    @Override
    public ChangeSink create(String name, SinkSettings settings) {
        URI url;
        String urlText = settings.requireString("url");
        try {
            url = new URI(urlText);
        } catch (URISyntaxException e) {
            throw settings.invalid("url", "is not a valid URL (" + e.getReason() + ")");
        }
        Map<String, String> headers = settings.stringMap("headers");
        List<String> secrets = settings.stringList("secrets");
        Duration timeout = positive(settings, "timeout");
        Duration connectTimeout = positive(settings, "connect-timeout");
        int maxInFlight = settings.integer("max-in-flight")
                .orElseThrow(() -> settings.invalid("max-in-flight", "is required; set it in the sink's block"));
        boolean batch = settings.bool("batch").orElseThrow(() -> settings.invalid("batch", "is required; set it in the sink's block"));
        java.util.Optional<java.nio.file.Path> tlsCaFile;
        try {
            tlsCaFile = settings.string("tls-ca-file").filter(f -> !f.isBlank()).map(java.nio.file.Path::of);
        } catch (java.nio.file.InvalidPathException e) {
            throw settings.invalid("tls-ca-file", "is not a valid path (" + e.getReason() + ")");
        }
        WebhookSinkOptions options;
        try {
            long maxRequestBytes = settings.bytes("max-request-bytes")
                    .orElseThrow(() -> settings.invalid("max-request-bytes", "is required; set it in the sink's block"));
            options = new WebhookSinkOptions(url, headers, secrets, timeout, connectTimeout, maxInFlight, batch, tlsCaFile, maxRequestBytes);
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            String key = message.substring(0, message.indexOf(' '));
            String setting = switch (key) {
                case "maxInFlight" -> "max-in-flight";
                case "connectTimeout" -> "connect-timeout";
                case "tlsCaFile" -> "tls-ca-file";
                case "maxRequestBytes" -> "max-request-bytes";
                default -> key;
            };
            throw settings.invalid(setting, message.substring(key.length() + 1));
        }
        return new WebhookSink(name, options);
    }

    /**
     * A webhook sink for library use and tests; unstarted.
     *
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static ChangeSink sink(String name, WebhookSinkOptions options) {
        return new WebhookSink(name, options);
    }

    private static Duration positive(SinkSettings settings, String key) {
        Duration d = settings.duration(key).orElseThrow(() -> settings.invalid(key, "is required; set it in the sink's block"));
        if (d.isZero()) {
            throw settings.invalid(key, "must be positive, got " + d);
        }
        return d;
    }
}
