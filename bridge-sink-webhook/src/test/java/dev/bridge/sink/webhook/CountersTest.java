package dev.bridge.sink.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class CountersTest {

    @Test
    void everyNameIsThereFromTheStart() {
        assertThat(new Counters().snapshot()).containsExactly(entry("requests", 0L), entry("responses_2xx", 0L),
                entry("responses_3xx", 0L), entry("responses_4xx", 0L), entry("responses_5xx", 0L), entry("timeouts", 0L),
                entry("network_errors", 0L), entry("gone_dead_lettered", 0L));
    }

    @Test
    void eachRequestCountsOnceAndInOneOutcome() {
        Counters counters = new Counters();
        for (int status : new int[] {200, 204, 299, 301, 400, 410, 429, 500, 503, 599}) {
            counters.answered(status);
        }
        counters.unanswered(new CompletionException(new HttpConnectTimeoutException("HTTP connect timed out")));
        counters.unanswered(new HttpTimeoutException("request timed out"));
        counters.unanswered(new CompletionException(new ConnectException()));
        counters.goneDeadLettered(1);
        counters.goneDeadLettered(3);

        assertThat(counters.snapshot()).containsExactly(entry("requests", 13L), entry("responses_2xx", 3L),
                entry("responses_3xx", 1L), entry("responses_4xx", 3L), entry("responses_5xx", 3L), entry("timeouts", 2L),
                entry("network_errors", 1L), entry("gone_dead_lettered", 4L));
        assertThat(counters.goneDeadLettered()).isEqualTo(4);
    }

    @Test
    void aStatusOutsideTheClassesCountsOnlyAsARequest() {
        Counters counters = new Counters();
        counters.answered(199);
        counters.answered(600);

        assertThat(counters.snapshot()).containsEntry("requests", 2L).containsEntry("responses_2xx", 0L).containsEntry("responses_5xx", 0L);
    }

    @Test
    void aSnapshotIsNotAView() {
        Counters counters = new Counters();
        var before = counters.snapshot();
        counters.answered(204);

        assertThat(before).containsEntry("requests", 0L);
        assertThat(counters.snapshot()).containsEntry("requests", 1L);
    }
}
