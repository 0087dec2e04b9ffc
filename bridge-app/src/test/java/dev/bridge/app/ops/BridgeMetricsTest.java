package dev.bridge.app.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bridge.core.Change;
import dev.bridge.core.Op;
import dev.bridge.core.engine.EngineStats;
import dev.bridge.core.engine.SinkState;
import dev.bridge.core.engine.SinkStats;
import dev.bridge.core.port.Acknowledger;
import dev.bridge.core.port.ChangeSink;
import dev.bridge.core.protocol.ReassemblyStats;
import dev.bridge.core.protocol.RejectReason;
import dev.bridge.postgres.ListenerStats;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BridgeMetricsTest {

    private static final Change CHANGE = new Change(Op.INSERT, "orders", "1", 1, Instant.EPOCH, null, null, 1);

    private static SinkStats sinkStats(String sink, long received, long delivered, long retried, long deadLettered, int buffered,
            long bufferedBytes, int bufferCapacity, long checkpointLag, long lost) {
        return new SinkStats(sink, received, delivered, retried, deadLettered, buffered, bufferedBytes, bufferCapacity,
                SinkState.DELIVERING, Instant.EPOCH, Duration.ZERO, checkpointLag, lost);
    }

    private final BridgeMetrics metrics = new BridgeMetrics();
    private final AtomicReference<EngineStats> engine = new AtomicReference<>(new EngineStats(0, 0, List.of()));
    private final AtomicReference<Optional<ListenerStats>> listener = new AtomicReference<>(Optional.empty());

    @AfterEach
    void close() {
        metrics.close();
    }

    @Test
    void engineAndSinkSeriesFollowTheStats() {
        TestSink billing = new TestSink("billing");
        TestSink audit = new TestSink("audit");
        metrics.bindEngine(engine::get, List.of(billing, audit));
        engine.set(new EngineStats(10, 3, List.of(
                sinkStats("billing", 9, 7, 2, 1, 250, 4096, 1000, 12, 3),
                sinkStats("audit", 4, 4, 0, 0, 0, 0, 500, 0, 0))));

        Map<String, Double> scrape = Scrape.parse(metrics.scrape());

        assertThat(scrape).containsEntry("bridge_engine_changes_received_total", 10.0)
                .containsEntry("bridge_engine_checkpoint_lag", 3.0)
                .containsEntry("bridge_sink_received_total{sink=\"billing\"}", 9.0)
                .containsEntry("bridge_sink_delivered_total{sink=\"billing\"}", 7.0)
                .containsEntry("bridge_sink_retried_total{sink=\"billing\"}", 2.0)
                .containsEntry("bridge_sink_dead_lettered_total{sink=\"billing\"}", 1.0)
                .containsEntry("bridge_sink_buffered_changes{sink=\"billing\"}", 250.0)
                .containsEntry("bridge_sink_buffered_bytes{sink=\"billing\"}", 4096.0)
                .containsEntry("bridge_sink_buffer_fill_ratio{sink=\"billing\"}", 0.25)
                .containsEntry("bridge_sink_checkpoint_lag{sink=\"billing\"}", 12.0)
                .containsEntry("bridge_sink_lost_changes_total{sink=\"billing\"}", 3.0)
                .containsEntry("bridge_sink_checkpoint_lag{sink=\"audit\"}", 0.0)
                .containsEntry("bridge_sink_state{sink=\"billing\",state=\"delivering\"}", 1.0)
                .containsEntry("bridge_sink_state{sink=\"billing\",state=\"down\"}", 0.0)
                .containsEntry("bridge_sink_delivered_total{sink=\"audit\"}", 4.0)
                .containsEntry("bridge_sink_buffer_fill_ratio{sink=\"audit\"}", 0.0);

        engine.set(new EngineStats(25, 0, List.of(
                sinkStats("billing", 20, 20, 5, 1, 0, 0, 1000, 0, 3),
                sinkStats("audit", 8, 8, 0, 0, 0, 0, 500, 0, 0))));

        assertThat(Scrape.parse(metrics.scrape()))
                .containsEntry("bridge_engine_changes_received_total", 25.0)
                .containsEntry("bridge_engine_checkpoint_lag", 0.0)
                .containsEntry("bridge_sink_delivered_total{sink=\"billing\"}", 20.0)
                .containsEntry("bridge_sink_retried_total{sink=\"billing\"}", 5.0)
                .containsEntry("bridge_sink_buffered_changes{sink=\"billing\"}", 0.0)
                .containsEntry("bridge_sink_received_total{sink=\"audit\"}", 8.0);
    }

    @Test
    void readsEachSourceOncePerScrape() {
        AtomicInteger engineReads = new AtomicInteger();
        AtomicInteger listenerReads = new AtomicInteger();
        metrics.bindEngine(() -> {
            engineReads.incrementAndGet();
            return engine.get();
        }, List.of(new TestSink("a"), new TestSink("b")));
        metrics.bindListener(() -> {
            listenerReads.incrementAndGet();
            return listener.get();
        });

        metrics.scrape();

        assertThat(engineReads).hasValue(1);
        assertThat(listenerReads).hasValue(1);
    }

    @Test
    void deliveryLatencyIsAHistogramPerSink() {
        metrics.bindEngine(engine::get, List.of(new TestSink("billing")));

        metrics.delivered("billing", CHANGE, Duration.ofMillis(3));
        metrics.delivered("billing", CHANGE, Duration.ofMillis(40));
        metrics.delivered("unbound", CHANGE, Duration.ofSeconds(1));

        Map<String, Double> scrape = Scrape.parse(metrics.scrape());
        assertThat(scrape).containsEntry("bridge_delivery_latency_seconds_count{sink=\"billing\"}", 2.0)
                .containsEntry("bridge_delivery_latency_seconds_sum{sink=\"billing\"}", 0.043)
                .containsEntry("bridge_delivery_latency_seconds_max{sink=\"billing\"}", 0.04)
                .containsEntry("bridge_delivery_latency_seconds_bucket{sink=\"billing\",le=\"+Inf\"}", 2.0)
                .containsEntry("bridge_delivery_latency_seconds_count{sink=\"unbound\"}", 1.0);
        assertThat(Scrape.bucketAtOrBelow(scrape, "bridge_delivery_latency_seconds", "sink=\"billing\"", 0.005)).isEqualTo(1.0);
        assertThat(Scrape.bucketAtOrBelow(scrape, "bridge_delivery_latency_seconds", "sink=\"billing\"", 0.05)).isEqualTo(2.0);
    }

    @Test
    void retriesAndDeadLettersAreCountedFromTheStatsOnly() {
        metrics.bindEngine(engine::get, List.of(new TestSink("billing")));
        engine.set(new EngineStats(1, 1, List.of(sinkStats("billing", 1, 0, 1, 1, 0, 0, 10, 0, 0))));

        metrics.retried("billing", CHANGE, "timeout");
        metrics.deadLettered("billing", CHANGE, "gone");

        assertThat(Scrape.parse(metrics.scrape()))
                .containsEntry("bridge_sink_retried_total{sink=\"billing\"}", 1.0)
                .containsEntry("bridge_sink_dead_lettered_total{sink=\"billing\"}", 1.0);
    }

    @Test
    void listenerSeriesFollowTheStatsWithRejectsByReason() {
        metrics.bindListener(listener::get);
        Map<RejectReason, Long> rejected = new EnumMap<>(RejectReason.class);
        for (RejectReason reason : RejectReason.values()) {
            rejected.put(reason, (long) reason.ordinal());
        }
        listener.set(Optional.of(new ListenerStats(true, 120, 100, 2, 5, 6, 3, 0.125, new ReassemblyStats(98, 4, rejected, 1, 512))));

        Map<String, Double> scrape = Scrape.parse(metrics.scrape());

        assertThat(scrape).containsEntry("bridge_listener_connected", 1.0)
                .containsEntry("bridge_listener_notifications_total", 120.0)
                .containsEntry("bridge_listener_changes_total", 100.0)
                .containsEntry("bridge_listener_malformed_changes_total", 2.0)
                .containsEntry("bridge_listener_replayed_messages_total", 5.0)
                .containsEntry("bridge_listener_rejected_log_rows_total", 6.0)
                .containsEntry("bridge_listener_reconnects_total", 3.0)
                .containsEntry("bridge_listener_queue_usage_ratio", 0.125)
                .containsEntry("bridge_listener_reassembly_completed_total", 98.0)
                .containsEntry("bridge_listener_reassembly_rejected_total{reason=\"foreign\"}", 0.0)
                .containsEntry("bridge_listener_reassembly_rejected_total{reason=\"forged\"}", (double) RejectReason.FORGED.ordinal())
                .containsEntry("bridge_listener_reassembly_rejected_total{reason=\"out_of_order\"}", (double) RejectReason.OUT_OF_ORDER.ordinal())
                .containsEntry("bridge_listener_reassembly_rejected_total{reason=\"expired\"}", (double) RejectReason.EXPIRED.ordinal());
        assertThat(scrape.keySet().stream().filter(s -> s.startsWith("bridge_listener_reassembly_rejected_total{")))
                .hasSize(RejectReason.values().length);

        listener.set(Optional.of(new ListenerStats(false, 130, 105, 2, 5, 6, 4, 0.5, new ReassemblyStats(103, 0, rejected, 0, 0))));
        assertThat(Scrape.parse(metrics.scrape()))
                .containsEntry("bridge_listener_connected", 0.0)
                .containsEntry("bridge_listener_reconnects_total", 4.0)
                .containsEntry("bridge_listener_queue_usage_ratio", 0.5);
    }

    @Test
    void seriesExistBeforeAnythingIsBoundOrWhileTheListenerIsDown() {
        Map<String, Double> unbound = Scrape.parse(metrics.scrape());
        assertThat(unbound).containsEntry("bridge_engine_changes_received_total", 0.0)
                .containsEntry("bridge_listener_connected", 0.0)
                .containsEntry("bridge_listener_changes_total", 0.0)
                .containsEntry("bridge_listener_reassembly_rejected_total{reason=\"malformed\"}", 0.0);
        assertThat(unbound.get("bridge_engine_checkpoint_lag")).isNaN();
        assertThat(unbound.get("bridge_listener_queue_usage_ratio")).isNaN();

        metrics.bindListener(listener::get);
        Map<String, Double> down = Scrape.parse(metrics.scrape());
        assertThat(down).containsEntry("bridge_listener_connected", 0.0)
                .containsEntry("bridge_listener_notifications_total", 0.0);
        assertThat(down.get("bridge_listener_queue_usage_ratio")).isNaN();
    }

    @Test
    void aFailingSourceReadsAsAbsentInsteadOfBreakingTheScrape() {
        metrics.bindEngine(() -> {
            throw new IllegalStateException("not started");
        }, List.of(new TestSink("billing")));
        metrics.bindListener(() -> null);

        Map<String, Double> scrape = Scrape.parse(metrics.scrape());

        assertThat(scrape).containsEntry("bridge_sink_delivered_total{sink=\"billing\"}", 0.0)
                .containsEntry("bridge_listener_connected", 0.0);
        assertThat(scrape.get("bridge_sink_buffer_fill_ratio{sink=\"billing\"}")).isNaN();
    }

    @Test
    void eachSinksOwnCountersAreExportedIncludingOnesThatAppearLater() {
        TestSink hooks = new TestSink("hooks");
        hooks.counters.put("gone_dead_lettered", 3L);
        metrics.bindEngine(engine::get, List.of(hooks));

        assertThat(Scrape.parse(metrics.scrape())).containsEntry("bridge_sink_gone_dead_lettered_total{sink=\"hooks\"}", 3.0);

        hooks.counters.put("gone_dead_lettered", 5L);
        hooks.counters.put("redirects", 1L);
        assertThat(Scrape.parse(metrics.scrape()))
                .containsEntry("bridge_sink_gone_dead_lettered_total{sink=\"hooks\"}", 5.0)
                .containsEntry("bridge_sink_redirects_total{sink=\"hooks\"}", 1.0);

        hooks.counters.put("Bad-Name", 1L);
        assertThat(metrics.scrape()).doesNotContain("Bad").contains("bridge_sink_redirects_total");
    }

    @Test
    void aSinkCounterThatIsBadlyNamedOrShadowsAnEngineSeriesIsRejectedWhenBound() {
        TestSink badName = new TestSink("a");
        badName.counters.put("GoneDeadLettered", 1L);
        assertThatThrownBy(() -> metrics.bindEngine(engine::get, List.of(badName)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sink 'a'").hasMessageContaining("'GoneDeadLettered'").hasMessageContaining("lower_snake_case");

        TestSink shadowing = new TestSink("b");
        shadowing.counters.put("delivered_total", 1L);
        assertThatThrownBy(() -> metrics.bindEngine(engine::get, List.of(shadowing)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bridge_sink_delivered");
    }

    @Test
    void bindingTwiceIsABug() {
        metrics.bindEngine(engine::get, List.of());
        metrics.bindListener(listener::get);

        assertThatThrownBy(() -> metrics.bindEngine(engine::get, List.of()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("engine");
        assertThatThrownBy(() -> metrics.bindListener(listener::get))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("listener");
    }

    @Test
    void jvmAndProcessMetricsAreBound() {
        assertThat(Scrape.parse(metrics.scrape()).keySet()).anyMatch(s -> s.startsWith("jvm_memory_used_bytes{"))
                .anyMatch(s -> s.startsWith("jvm_gc_"))
                .contains("jvm_threads_live_threads", "system_cpu_count", "process_cpu_usage", "process_uptime_seconds");
        assertThat(metrics.registry().find("jvm.gc.memory.allocated").meter()).isNotNull();
    }

    static final class TestSink implements ChangeSink {
        final Map<String, Long> counters = new ConcurrentHashMap<>();
        private final String name;

        TestSink(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void deliver(List<Change> batch, Acknowledger acks) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Map<String, Long> counters() {
            return new HashMap<>(counters);
        }
    }
}
