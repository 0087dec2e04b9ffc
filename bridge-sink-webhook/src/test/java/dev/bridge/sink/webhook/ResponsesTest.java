package dev.bridge.sink.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bridge.core.port.Ack;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ResponsesTest {

    private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
    private static final byte[] NONE = new byte[0];

    private static Ack ack(int status) {
        return Responses.ackFor(status, Optional.empty(), NONE, NOW, "http://h/x");
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 201, 202, 204, 299})
    void twoHundredsAreDelivered(int status) {
        assertThat(ack(status)).isSameAs(Ack.delivered());
    }

    @ParameterizedTest
    @ValueSource(ints = {408, 425, 429, 500, 502, 503, 504, 599})
    void transientStatusesAreRetried(int status) {
        assertThat(ack(status)).isEqualTo(new Ack.Retry("http://h/x answered " + status, Optional.empty()));
    }

    @ParameterizedTest
    @ValueSource(ints = {429, 503})
    void retryAfterInSecondsOrAsAnHttpDateIsHonoured(int status) {
        assertThat(Responses.ackFor(status, Optional.of("120"), NONE, NOW, "u"))
                .isEqualTo(Ack.retryAfter(NOW.plusSeconds(120), "u answered " + status + " with Retry-After 120"));
        assertThat(((Ack.Retry) Responses.ackFor(status, Optional.of("Tue, 24 Nov 2026 10:05:00 GMT"), NONE, NOW, "u")).notBefore())
                .contains(Instant.parse("2026-11-24T10:05:00Z"));
    }

    @Test
    void anUnreadableRetryAfterIsAPlainRetry() {
        assertThat(((Ack.Retry) Responses.ackFor(503, Optional.of("soon"), NONE, NOW, "u")).notBefore()).isEmpty();
    }

    @Test
    void retryAfterIsOnlyReadFor429And503() {
        assertThat(((Ack.Retry) Responses.ackFor(500, Optional.of("60"), NONE, NOW, "u")).notBefore()).isEmpty();
    }

    @Test
    void goneFailsAndSaysTheEndpointIsDisabled() {
        assertThat(ack(410)).isInstanceOf(Ack.Failed.class);
        assertThat(((Ack.Failed) ack(410)).reason()).contains("410 (Gone)", "disabled");
        assertThat(Responses.gone(410)).isTrue();
        assertThat(Responses.gone(404)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {301, 400, 401, 403, 404, 409, 413, 422})
    void otherAnswersFailWithTheStartOfTheBody(int status) {
        String body = "{\"error\": \"bad\n  thing\"}" + "x".repeat(1000);
        Ack ack = Responses.ackFor(status, Optional.of("5"), body.getBytes(StandardCharsets.UTF_8), NOW, "u");

        assertThat(ack).isInstanceOf(Ack.Failed.class);
        String reason = ((Ack.Failed) ack).reason();
        assertThat(reason).startsWith("u answered " + status + ": {\"error\": \"bad thing\"}xxx").endsWith("…");
        assertThat(reason.length()).isLessThan(Responses.BODY_EXCERPT + 40);
    }

    @Test
    void noResponseIsRetried() {
        assertThat(((Ack.Retry) Responses.ackFor(new HttpTimeoutException("request timed out"), "u")).reason())
                .isEqualTo("POST to u timed out (request timed out)");
        assertThat(((Ack.Retry) Responses.ackFor(new java.util.concurrent.CompletionException(new ConnectException()), "u")).reason())
                .isEqualTo("POST to u could not connect (ConnectException)");
    }

    @Test
    void aTimeoutIsToldFromOtherFailures() {
        assertThat(Responses.timedOut(new CompletionException(new HttpConnectTimeoutException("HTTP connect timed out")))).isTrue();
        assertThat(Responses.timedOut(new HttpTimeoutException("request timed out"))).isTrue();
        assertThat(Responses.timedOut(new CompletionException(new ConnectException()))).isFalse();
    }

    @Test
    void onlyTheHttpClientsRefusalOfAStreamIsAStreamRefused() {
        assertThat(Responses.streamRefused(new CompletionException(new IOException("too many concurrent streams")))).isTrue();
        assertThat(Responses.streamRefused(new IOException("too many concurrent streams"))).isTrue();
        assertThat(Responses.streamRefused(new IOException("Received RST_STREAM: Refused stream"))).isFalse();
        assertThat(Responses.streamRefused(new HttpTimeoutException("request timed out"))).isFalse();
    }
}
