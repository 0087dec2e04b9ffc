package dev.bridge.sink.webhook;

import dev.bridge.core.Secrets;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * The settings of one webhook endpoint, validated on construction. Immutable and thread-safe.
 *
 * @param url where to POST: an absolute {@code http://} or {@code https://} URL; its user info and
 *     query, if any, never appear in messages
 * @param headers extra request headers, in order; names must not start with {@code webhook-}
 *     (the signature headers) nor be ones the HTTP client sets itself ({@code Host},
 *     {@code Content-Length}, …); their values never appear in messages
 * @param secrets signing secrets, {@code whsec_} followed by base64 of 24 to 64 random bytes; the
 *     first is the current one, more are sent during rotation (one signature each); empty for unsigned requests
 * @param timeout how long one request may take, the whole exchange: connecting, sending, and the
 *     response's status, headers and as much of its body as the sink reads; positive
 * @param connectTimeout how long opening a connection may take; positive
 * @param maxInFlight the most requests open at once to this endpoint; at least 1
 * @param batch whether a batch goes as one request with a JSON array of its changes (true) or each
 *     change as its own request with the change's JSON (false)
 * @param tlsCaFile for an https:// url, a PEM file of the certificate authorities to trust instead
 *     of the JDK's default trust store (for an endpoint with a private CA); the host name is checked
 *     either way
 * @param maxRequestBytes the largest request body the sink builds, in bytes: a change whose JSON is
 *     larger fails (and is dead-lettered) with that reason, and a batch larger than this goes as
 *     several requests; so request bodies take at most {@code maxInFlight × maxRequestBytes} of memory
 */
public record WebhookSinkOptions(URI url, Map<String, String> headers, List<String> secrets, Duration timeout,
        Duration connectTimeout, int maxInFlight, boolean batch, Optional<Path> tlsCaFile, long maxRequestBytes) {

    /**
     * POSTs each change, unsigned, to {@code url}, every other option at its default (as
     * {@code bridge.sink.webhook} in this module's reference.conf): no extra headers, requests of
     * at most 15 s (connecting: 10 s) and 16 MiB, up to 16 open at once, one change per request, and
     * the JDK's certificate authorities.
     */
    public static WebhookSinkOptions to(URI url) {
        return new WebhookSinkOptions(url, Map.of(), List.of(), Duration.ofSeconds(15), Duration.ofSeconds(10), 16, false,
                Optional.empty(), 16L << 20);
    }

    /**
     * As {@link #to(URI)} for a URL written out.
     *
     * @throws IllegalArgumentException if it is not a valid URL; the message shows it without user
     *     info and query
     */
    public static WebhookSinkOptions to(String url) {
        try {
            return to(new URI(url));
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("url is not a valid URL (" + e.getReason() + "), got '" + Secrets.maskUri(url) + "'");
        }
    }

    /** Signs every request with {@code current} and, while receivers move over, with each of {@code previous} too. */
    public WebhookSinkOptions signedWith(String current, String... previous) {
        List<String> all = new java.util.ArrayList<>(List.of(Objects.requireNonNull(current, "current secret")));
        all.addAll(List.of(previous));
        return new WebhookSinkOptions(url, headers, all, timeout, connectTimeout, maxInFlight, batch, tlsCaFile, maxRequestBytes);
    }

    /** Adds a request header (e.g. {@code Authorization}); its value never appears in messages. */
    public WebhookSinkOptions withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new WebhookSinkOptions(url, more, secrets, timeout, connectTimeout, maxInFlight, batch, tlsCaFile, maxRequestBytes);
    }

    public WebhookSinkOptions withTimeouts(Duration request, Duration connect) {
        return new WebhookSinkOptions(url, headers, secrets, request, connect, maxInFlight, batch, tlsCaFile, maxRequestBytes);
    }

    public WebhookSinkOptions withMaxInFlight(int requests) {
        return new WebhookSinkOptions(url, headers, secrets, timeout, connectTimeout, requests, batch, tlsCaFile, maxRequestBytes);
    }

    /** Each batch as one request holding a JSON array of its changes. */
    public WebhookSinkOptions batched() {
        return new WebhookSinkOptions(url, headers, secrets, timeout, connectTimeout, maxInFlight, true, tlsCaFile, maxRequestBytes);
    }

    /** For an https:// url: trusts the certificate authorities in this PEM file instead of the JDK's. */
    public WebhookSinkOptions trusting(Path caFile) {
        return new WebhookSinkOptions(url, headers, secrets, timeout, connectTimeout, maxInFlight, batch, Optional.of(caFile),
                maxRequestBytes);
    }

    public WebhookSinkOptions withMaxRequestBytes(long bytes) {
        return new WebhookSinkOptions(url, headers, secrets, timeout, connectTimeout, maxInFlight, batch, tlsCaFile, bytes);
    }

    public WebhookSinkOptions {
        Objects.requireNonNull(url, "url");
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(headers, "headers")));
        secrets = List.copyOf(Objects.requireNonNull(secrets, "secrets"));
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        String scheme = requireHttpUrl(url);
        headers.forEach((name, value) -> {
            requireNotSignatureHeader(name);
            try {
                HttpRequest.newBuilder(url).header(name, value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("headers." + name + " cannot be sent: it is not a valid header name or value,"
                        + " or the HTTP client sets it itself");
            }
        });
        for (int i = 0; i < secrets.size(); i++) {
            Signer.key(secrets.get(i), "secrets[" + i + "]");
        }
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        if (connectTimeout.isZero() || connectTimeout.isNegative()) {
            throw new IllegalArgumentException("connectTimeout must be positive, got " + connectTimeout);
        }
        requireMaxInFlight(maxInFlight);
        Objects.requireNonNull(tlsCaFile, "tlsCaFile");
        requireTlsCaFileFor(url, tlsCaFile);
        requireMaxRequestBytes(maxRequestBytes);
    }

    // The rules below are the record's; the provider applies them too, to report every problem of a sink at once.

    static void requireNotSignatureHeader(String name) {
        if (name.toLowerCase(Locale.ROOT).startsWith("webhook-")) {
            throw new IllegalArgumentException("headers must not set " + name + ": the sink sets the webhook-* headers itself");
        }
    }

    static void requireMaxInFlight(int maxInFlight) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be at least 1, got " + maxInFlight);
        }
    }

    static void requireTlsCaFileFor(URI url, Optional<Path> tlsCaFile) {
        if (tlsCaFile.isPresent() && !"https".equalsIgnoreCase(url.getScheme())) {
            throw new IllegalArgumentException("tlsCaFile applies to an https:// url only, got '" + safe(url) + "'");
        }
    }

    static void requireMaxRequestBytes(long maxRequestBytes) {
        if (maxRequestBytes < 1024) {
            throw new IllegalArgumentException("maxRequestBytes must be at least 1024, got " + maxRequestBytes);
        }
    }

    /**
     * The URL's scheme, lower case.
     *
     * @throws IllegalArgumentException unless it is an absolute http:// or https:// URL with a host
     */
    static String requireHttpUrl(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!url.isAbsolute() || !(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
            throw new IllegalArgumentException("url must be an absolute http:// or https:// URL with a host, got '" + safe(url) + "'");
        }
        return scheme;
    }

    /** The URL without user info, for messages and logs. */
    public String safeUrl() {
        return safe(url);
    }

    /** Secrets and header values never appear. */
    @Override
    public String toString() {
        String shown = headers.keySet().stream().map(name -> name + "=***").collect(Collectors.joining(", ", "{", "}"));
        return "WebhookSinkOptions[url=" + safeUrl() + ", headers=" + shown + ", secrets=" + secrets.size() + " hidden, timeout="
                + timeout + ", connectTimeout=" + connectTimeout + ", maxInFlight=" + maxInFlight + ", batch=" + batch
                + tlsCaFile.map(f -> ", tlsCaFile=" + f).orElse("") + ", maxRequestBytes=" + maxRequestBytes + "]";
    }

    static String safe(URI url) {
        return Secrets.maskUri(url.toString());
    }
}
