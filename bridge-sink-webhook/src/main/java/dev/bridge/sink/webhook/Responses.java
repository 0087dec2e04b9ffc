package dev.bridge.sink.webhook;

import dev.bridge.core.port.Ack;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.CompletionException;

/** Turns an endpoint's response, or the failure to get one, into an acknowledgement. */
final class Responses {

    /** How much of a refusing response's body goes into the dead letter's reason, in characters. */
    static final int BODY_EXCERPT = 300;

    private Responses() {
    }

    /** Whether the endpoint asked never to be called again (410 Gone). */
    static boolean gone(int status) {
        return status == 410;
    }

    /**
     * @param retryAfter the {@code Retry-After} header, if any
     * @param body the response body (only read for refusals), possibly empty
     */
    static Ack ackFor(int status, Optional<String> retryAfter, byte[] body, Instant now, String where) {
        if (status >= 200 && status < 300) {
            return Ack.delivered();
        }
        String reason = where + " answered " + status;
        if (status == 429 || status == 503) {
            Optional<Instant> notBefore = retryAfter.flatMap(value -> retryAfter(value, now));
            return notBefore.map(at -> Ack.retryAfter(at, reason + " with Retry-After " + retryAfter.get()))
                    .orElseGet(() -> Ack.retry(reason));
        }
        if (status == 408 || status == 425 || status >= 500) {
            return Ack.retry(reason);
        }
        if (gone(status)) {
            return Ack.failed(reason + " (Gone): the endpoint is disabled until the sink's configuration changes");
        }
        String excerpt = excerpt(body);
        return Ack.failed(reason + (excerpt.isEmpty() ? "" : ": " + excerpt));
    }

    /** A request that got no response: always worth retrying. */
    static Ack ackFor(Throwable error, String where) {
        Throwable cause = cause(error);
        String what;
        if (cause instanceof HttpTimeoutException) {
            what = "timed out (" + cause.getMessage() + ")";
        } else if (cause instanceof ConnectException) {
            what = "could not connect (" + describe(cause) + ")";
        } else {
            what = "failed (" + describe(cause) + ")";
        }
        return Ack.retry("POST to " + where + " " + what);
    }

    /** Whether a request got no response because it took longer than {@code timeout} or {@code connect-timeout}. */
    static boolean timedOut(Throwable error) {
        return cause(error) instanceof HttpTimeoutException;
    }

    /**
     * Whether the JDK's HttpClient did not send a request because its HTTP/2 connection already had
     * as many streams open as the server allows. The client fails such a request at once instead of
     * waiting for a stream (JDK-8225647), and its message is the only sign.
     */
    static boolean streamRefused(Throwable error) {
        Throwable cause = cause(error);
        return cause instanceof IOException && "too many concurrent streams".equals(cause.getMessage());
    }

    private static Throwable cause(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    /** {@code Retry-After} as delay-seconds or an HTTP date; empty if it is neither. */
    static Optional<Instant> retryAfter(String value, Instant now) {
        String text = value.trim();
        if (text.matches("\\d{1,9}")) {
            return Optional.of(now.plus(Duration.ofSeconds(Long.parseLong(text))));
        }
        try {
            return Optional.of(ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    static String excerpt(byte[] body) {
        if (body == null || body.length == 0) {
            return "";
        }
        String text = new String(body, 0, Math.min(body.length, BODY_EXCERPT * 4), StandardCharsets.UTF_8).strip();
        text = text.replaceAll("\\s+", " ");
        return text.length() <= BODY_EXCERPT ? text : text.substring(0, BODY_EXCERPT) + "…";
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + message;
    }
}
