package dev.bridge.sink.webhook;

import dev.bridge.core.engine.DeliveryPolicy;
import dev.bridge.core.engine.RetryPolicy;
import dev.bridge.core.port.ChangeSink;
import dev.bridge.core.port.SinkProvider;
import dev.bridge.core.settings.Settings;
import dev.bridge.core.settings.SettingsProblems;
import java.net.http.HttpRequest;
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
    public ChangeSink create(String name, Settings settings) {
        SettingsProblems problems = new SettingsProblems(settings);
        URI url = problems.check(() -> {
            URI parsed;
            try {
                parsed = new URI(settings.requireString("url"));
            } catch (URISyntaxException e) {
                throw settings.invalid("url", "is not a valid URL (" + e.getReason() + ")");
            }
            try {
                WebhookSinkOptions.requireHttpUrl(parsed);
            } catch (IllegalArgumentException e) {
                throw settings.invalid("url", e.getMessage().substring("url ".length()));
            }
            return parsed;
        });
        Map<String, String> headers = problems.check(() -> settings.stringMap("headers"));
        if (headers != null) {
            headers.forEach((header, value) -> problems.check(() -> {
                rule(settings, "headers", () -> WebhookSinkOptions.requireNotSignatureHeader(header));
                try {
                    HttpRequest.newBuilder(URI.create("http://localhost/")).header(header, value);
                    return null;
                } catch (IllegalArgumentException e) {
                    throw settings.invalid("headers", "holds " + header + ", which cannot be sent: not a valid header name or"
                            + " value, or one the HTTP client sets itself");
                }
            }));
        }
        List<String> secrets = problems.check(() -> settings.stringList("secrets"));
        if (secrets != null) {
            for (int i = 0; i < secrets.size(); i++) {
                String key = "secrets[" + i + "]";
                String secret = secrets.get(i);
                problems.check(() -> {
                    try {
                        return Signer.key(secret, key);
                    } catch (IllegalArgumentException e) {
                        throw settings.invalid(key, e.getMessage().substring(key.length() + 1));
                    }
                });
            }
        }
        Duration timeout = problems.check(() -> settings.duration("timeout", true));
        Duration connectTimeout = problems.check(() -> settings.duration("connect-timeout", true));
        Integer maxInFlight = problems.check(() -> settings.integer("max-in-flight")
                .orElseThrow(() -> settings.invalid("max-in-flight", "is required; set it in the sink's block")));
        Boolean batch = problems.check(() -> settings.bool("batch")
                .orElseThrow(() -> settings.invalid("batch", "is required; set it in the sink's block")));
        java.util.Optional<java.nio.file.Path> tlsCaFile = problems.check(() -> {
            try {
                return settings.string("tls-ca-file").filter(f -> !f.isBlank()).map(java.nio.file.Path::of);
            } catch (java.nio.file.InvalidPathException e) {
                throw settings.invalid("tls-ca-file", "is not a valid path (" + e.getReason() + ")");
            }
        });
        Long maxRequestBytes = problems.check(() -> settings.bytes("max-request-bytes")
                .orElseThrow(() -> settings.invalid("max-request-bytes", "is required; set it in the sink's block")));
        if (maxInFlight != null) {
            problems.check(() -> rule(settings, "max-in-flight", () -> WebhookSinkOptions.requireMaxInFlight(maxInFlight)));
        }
        if (maxRequestBytes != null) {
            problems.check(() -> rule(settings, "max-request-bytes", () -> WebhookSinkOptions.requireMaxRequestBytes(maxRequestBytes)));
        }
        if (url != null && tlsCaFile != null) {
            problems.check(() -> rule(settings, "tls-ca-file", () -> WebhookSinkOptions.requireTlsCaFileFor(url, tlsCaFile)));
        }
        problems.throwIfAny();
        // Every rule of the record was applied above, each as a problem of its own setting.
        WebhookSinkOptions options = new WebhookSinkOptions(url, headers, secrets, timeout, connectTimeout, maxInFlight, batch,
                tlsCaFile, maxRequestBytes);
        return new WebhookSink(name, options);
    }

    /**
     * How the daemon feeds a webhook sink unless its block says otherwise, as
     * {@code bridge.sink.webhook.delivery} in this module's reference.conf: {@link DeliveryPolicy#defaults()}
     * but retried on a schedule of hours, as receivers that are down for maintenance need: after 5 s,
     * 5 min, 30 min, 2 h, 5 h, 10 h and 10 h, so 8 attempts within 2 days. Pass it to the engine's
     * builder with the sink: {@code .sink(webhook, filter, WebhookSinkProvider.deliveryPolicy())}.
     */
    public static DeliveryPolicy deliveryPolicy() {
        return DELIVERY;
    }

    private static final DeliveryPolicy DELIVERY = DeliveryPolicy.defaults().withRetry(RetryPolicy.scheduled(
            List.of(Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofHours(2), Duration.ofHours(5),
                    Duration.ofHours(10), Duration.ofHours(10)), 8, Duration.ofDays(2)));

    /**
     * A webhook sink for library use and tests; unstarted.
     *
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static ChangeSink sink(String name, WebhookSinkOptions options) {
        return new WebhookSink(name, options);
    }

    /** Applies one of the record's rules, as a problem of {@code setting}; the rule's message starts with the component's name. */
    private static Void rule(Settings settings, String setting, Runnable check) {
        try {
            check.run();
            return null;
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            throw settings.invalid(setting, message.substring(message.indexOf(' ') + 1));
        }
    }
}
