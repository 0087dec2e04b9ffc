package dev.bridge.sink.webhook;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * A webhook sink's own counts, for {@link WebhookSink#counters()}: its requests by outcome, each
 * counted once when it ends, and the changes dead-lettered because the endpoint answered 410 Gone.
 * Counts only grow. Thread-safe.
 */
final class Counters {

    private final LongAdder requests = new LongAdder();
    private final LongAdder[] byClass = {new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder()};
    private final LongAdder timeouts = new LongAdder();
    private final LongAdder networkErrors = new LongAdder();
    private final LongAdder goneDeadLettered = new LongAdder();

    /** A request that got a response; a status outside 200 to 599 counts in no class. */
    void answered(int status) {
        requests.increment();
        int type = status / 100;
        if (type >= 2 && type <= 5) {
            byClass[type - 2].increment();
        }
    }

    /** A request that got no response. */
    void unanswered(Throwable error) {
        requests.increment();
        (Responses.timedOut(error) ? timeouts : networkErrors).increment();
    }

    void goneDeadLettered(int changes) {
        goneDeadLettered.add(changes);
    }

    long goneDeadLettered() {
        return goneDeadLettered.sum();
    }

    /** Every name, even at 0, so that a metrics registry sees them from the start. */
    Map<String, Long> snapshot() {
        Map<String, Long> outcomes = new LinkedHashMap<>();
        for (int i = 0; i < byClass.length; i++) {
            outcomes.put("responses_" + (i + 2) + "xx", byClass[i].sum());
        }
        outcomes.put("timeouts", timeouts.sum());
        outcomes.put("network_errors", networkErrors.sum());
        Map<String, Long> all = new LinkedHashMap<>();
        // Read after the outcomes, which are counted after it, so that it is never below their sum.
        all.put("requests", requests.sum());
        all.putAll(outcomes);
        all.put("gone_dead_lettered", goneDeadLettered.sum());
        return Collections.unmodifiableMap(all);
    }
}
