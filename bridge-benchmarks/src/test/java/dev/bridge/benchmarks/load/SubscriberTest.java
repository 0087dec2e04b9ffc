package dev.bridge.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SubscriberTest {

    @Test
    void readsTheHeadOfABridgeChange() {
        assertThat(head("{\"op\":\"UPDATE\",\"bucket\":\"load\",\"id\":\"42\",\"version\":7,\"ts\":\"2026-11-24T10:15:30.123456Z\","
                + "\"seq\":1051,\"val\":{\"note\":\"x\"},\"old\":{\"note\":\"y\"}}"))
                .isEqualTo(new Subscriber.Head("load", 42, 7));
    }

    @Test
    void readsTheHeadOfANaiveRow() {
        assertThat(head("{\"bucket\":\"load\",\"id\":\"9999\",\"version\":1,\"ts\":\"2026-11-24T10:15:30.1+00:00\",\"val\":{\"note\": \"x\"}}"))
                .isEqualTo(new Subscriber.Head("load", 9999, 1));
    }

    @Test
    void anIdThatIsNotANumberIsMinusOneAndAnythingIncompleteIsNothing() {
        assertThat(head("{\"bucket\":\"probe\",\"id\":\"p\",\"version\":3}")).isEqualTo(new Subscriber.Head("probe", -1, 3));
        assertThat(head("{\"bucket\":\"load\",\"id\":\"1\"}")).isNull();
        assertThat(head("[1,2]")).isNull();
        assertThat(head("not json")).isNull();
    }

    private static Subscriber.Head head(String json) {
        return Subscriber.head(json.getBytes(StandardCharsets.UTF_8));
    }
}
