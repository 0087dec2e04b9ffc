package dev.bridge.sink.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.bridge.core.settings.MapSettings;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The daemon's webhook defaults (this module's reference.conf) are those a library user gets in code. */
class WebhookSinkDefaultsTest {

    private static final Config REFERENCE = ConfigFactory.defaultReference();

    @Test
    void aBlockOfReferenceDefaultsBuildsTheOptionsOfTo() {
        Map<String, Object> block = new HashMap<>(REFERENCE.getConfig("bridge.sink.webhook").root().unwrapped());
        block.remove("delivery");
        block.put("url", "https://receiver.example/hook");
        WebhookSink sink = (WebhookSink) new WebhookSinkProvider().create("hook", new MapSettings("bridge.sinks[0]", block));
        assertThat(sink.options()).isEqualTo(WebhookSinkOptions.to("https://receiver.example/hook"));
    }

    @Test
    void theWebhookRetryScheduleOfTheReferenceIsThatOfDeliveryPolicy() {
        Config retry = REFERENCE.getConfig("bridge.sink.webhook.delivery.retry");
        assertThat(retry.root().keySet()).containsExactlyInAnyOrder("schedule", "max-attempts", "max-age");
        assertThat(WebhookSinkProvider.deliveryPolicy().retry().schedule()).isEqualTo(retry.getDurationList("schedule"));
        assertThat(WebhookSinkProvider.deliveryPolicy().retry().maxAttempts()).isEqualTo(retry.getInt("max-attempts"));
        assertThat(WebhookSinkProvider.deliveryPolicy().retry().maxAge()).isEqualTo(retry.getDuration("max-age"));
    }
}
