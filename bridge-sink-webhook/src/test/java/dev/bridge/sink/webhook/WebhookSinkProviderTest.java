package dev.bridge.sink.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bridge.core.Change;
import dev.bridge.core.InvalidSettingException;
import dev.bridge.core.Op;
import dev.bridge.core.port.SinkProvider;
import dev.bridge.core.settings.MapSettings;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class WebhookSinkProviderTest {

    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    /** The defaults of reference.conf, which {@link #referenceConfHasTheseDefaults} keeps in step. */
    private static final Map<String, Object> DEFAULTS = Map.of("headers", Map.of(), "secrets", List.of(), "timeout", "15s",
            "connect-timeout", "10s", "max-in-flight", 16, "batch", false, "max-request-bytes", "16MiB");

    @Test
    void isFoundByTheServiceLoaderAsWebhook() {
        assertThat(ServiceLoader.load(SinkProvider.class).stream().map(p -> p.get().type())).contains("webhook");
    }

    @Test
    void referenceConfHasTheseDefaults() throws IOException {
        String conf;
        try (InputStream in = WebhookSinkProvider.class.getResourceAsStream("/reference.conf")) {
            conf = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(conf).contains("bridge.sink.webhook {", "  headers {}", "  secrets = []", "  timeout = 15s",
                "  connect-timeout = 10s", "  max-in-flight = 16", "  batch = false",
                "    schedule = [5s, 5m, 30m, 2h, 5h, 10h, 10h]", "    max-attempts = 8");
    }

    @Test
    void makesASinkWithItsNameFromTheSettings() {
        var sink = new WebhookSinkProvider().create("billing", settings(Map.of("url", "https://hooks.example.com/b")));
        assertThat(sink.name()).isEqualTo("billing");
        assertThat(sink.toString()).isEqualTo("webhook sink 'billing' (POST to https://hooks.example.com/b)");
    }

    @Test
    void requiresTheUrl() {
        assertThatThrownBy(() -> new WebhookSinkProvider().create("x", settings(Map.of())))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("bridge.sinks[3].url is required; set it in the sink's block");
        assertThatThrownBy(() -> new WebhookSinkProvider().create("x", settings(Map.of("url", "ftp://h/x"))))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("bridge.sinks[3].url must be an absolute http:// or https:// URL with a host, got 'ftp://h/x'");
    }

    @Test
    void rejectsABadSecretWithoutShowingIt() {
        assertThatThrownBy(() -> new WebhookSinkProvider().create("x",
                settings(Map.of("url", "https://h/x", "secrets", List.of(SECRET, "hunter2hunter2")))))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("bridge.sinks[3].secrets[1] must start with whsec_ followed by base64 of the key");
    }

    @Test
    void rejectsHeadersTheSinkOrTheClientSets() {
        assertThatThrownBy(() -> new WebhookSinkProvider().create("x",
                settings(Map.of("url", "https://h/x", "headers", Map.of("webhook-id", "1")))))
                .hasMessage("bridge.sinks[3].headers must not set webhook-id: the sink sets the webhook-* headers itself");
        assertThatThrownBy(() -> new WebhookSinkProvider().create("x",
                settings(Map.of("url", "https://h/x", "headers", Map.of("Host", "evil")))))
                .hasMessageStartingWith("bridge.sinks[3].headers holds Host, which cannot be sent").hasMessageNotContaining("evil");
    }

    @Test
    void reportsEveryBadSettingAtOnceEverySecretIncluded() {
        assertThatThrownBy(() -> new WebhookSinkProvider().create("x", settings(Map.of("url", "https://h/x", "timeout", "soon",
                "secrets", List.of("whsec_bad!", SECRET, "no-prefix"), "max-in-flight", "many"))))
                .isInstanceOfSatisfying(dev.bridge.core.InvalidSettingException.class, e -> assertThat(e.getSuppressed())
                        .extracting(s -> ((dev.bridge.core.InvalidSettingException) s).path())
                        .containsExactly("bridge.sinks[3].secrets[0]", "bridge.sinks[3].secrets[2]", "bridge.sinks[3].timeout",
                                "bridge.sinks[3].max-in-flight"))
                .hasMessageNotContaining("whsec_bad").hasMessageNotContaining("no-prefix");
    }

    @Test
    void reportsTheRecordsOwnRulesAtOnceToo() {
        assertThatThrownBy(() -> new WebhookSinkProvider().create("x", settings(Map.of("url", "http://h/x",
                "headers", Map.of("webhook-id", "1"), "max-in-flight", -1, "max-request-bytes", "10", "tls-ca-file", "/ca.pem"))))
                .isInstanceOfSatisfying(InvalidSettingException.class, e -> assertThat(e.getSuppressed())
                        .extracting(s -> ((InvalidSettingException) s).path())
                        .containsExactlyInAnyOrder("bridge.sinks[3].headers", "bridge.sinks[3].max-in-flight",
                                "bridge.sinks[3].max-request-bytes", "bridge.sinks[3].tls-ca-file"));
    }

    @Test
    void rejectsNoRoomForRequests() {
        assertThatThrownBy(() -> new WebhookSinkProvider().create("x", settings(Map.of("url", "https://h/x", "max-in-flight", 0))))
                .hasMessage("bridge.sinks[3].max-in-flight must be at least 1, got 0");
        assertThatThrownBy(() -> new WebhookSinkProvider().create("x", settings(Map.of("url", "https://h/x", "timeout", "0s"))))
                .hasMessage("bridge.sinks[3].timeout must be positive, got 0");
    }

    @Test
    void optionsNeverPrintSecretsHeaderValuesUserInfoOrQueries() {
        assertThatThrownBy(() -> WebhookSinkOptions.to("http://user:pw@h/a b?token=t0k3n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("url is not a valid URL")
                .hasMessageNotContaining("pw").hasMessageNotContaining("t0k3n");
        WebhookSinkOptions options = new WebhookSinkOptions(URI.create("https://user:pw@h/x?token=t0k3n"),
                Map.of("Authorization", "Bearer s3cr3t", "Cookie", "session=c00k1e", "X-Team", "billing"), List.of(SECRET),
                Duration.ofSeconds(1), Duration.ofSeconds(1), 1, false, java.util.Optional.empty(), 1L << 20);
        assertThat(options.toString()).doesNotContain("s3cr3t", "MfKQ9r8", "pw", "c00k1e", "billing", "t0k3n")
                .contains("X-Team=***", "https://***@h/x?***");
        assertThat(options.safeUrl()).isEqualTo("https://***@h/x?***");
    }

    @Test
    void webhookIdIsTheSeqOrNamesExactlyTheBatchsChanges() {
        Change a = new Change(Op.INSERT, "b", "1", 1, Instant.EPOCH, null, null, 41);
        Change b = new Change(Op.INSERT, "b", "2", 1, Instant.EPOCH, null, null, 45);
        Change c = new Change(Op.INSERT, "b", "4", 1, Instant.EPOCH, null, null, 43);
        Change unlogged = new Change(Op.INSERT, "b", "3", 1, Instant.EPOCH, null, null, 0);
        assertThat(WebhookSink.webhookId(List.of(a), new byte[0])).isEqualTo("msg_41");
        String ab = WebhookSink.webhookId(List.of(a, b), new byte[0]);
        assertThat(ab).matches("msg_b[0-9a-f]{32}").isEqualTo(WebhookSink.webhookId(List.of(a, b), new byte[] {1}));
        assertThat(WebhookSink.webhookId(List.of(a, c, b), new byte[0])).as("same ends, other changes").isNotEqualTo(ab);
        assertThat(WebhookSink.webhookId(List.of(b, a), new byte[0])).as("another order").isNotEqualTo(ab);
        assertThat(WebhookSink.webhookId(List.of(unlogged), "x".getBytes(StandardCharsets.UTF_8)))
                .matches("msg_h[0-9a-f]{32}")
                .isEqualTo(WebhookSink.webhookId(List.of(unlogged), "x".getBytes(StandardCharsets.UTF_8)))
                .doesNotContain(".");
    }

    private static MapSettings settings(Map<String, Object> overrides) {
        Map<String, Object> values = new HashMap<>(DEFAULTS);
        values.putAll(overrides);
        return new MapSettings("bridge.sinks[3]", values);
    }
}
