package dev.bridge.app.ops;

import dev.bridge.core.Change;
import dev.bridge.core.engine.DeliveryObserver;
import dev.bridge.core.engine.EngineStats;
import dev.bridge.core.engine.SinkState;
import dev.bridge.core.engine.SinkStats;
import dev.bridge.core.port.ChangeSink;
import dev.bridge.core.protocol.RejectReason;
import dev.bridge.postgres.ListenerStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's metrics in a Prometheus registry: the engine's and each sink's counters, delivery
 * latency, the PostgreSQL listener's counters, each sink's own {@link ChangeSink#counters()}, and the
 * JVM's and process's standard meters.
 *
 * <p>Lifecycle: make it first and hand it to the engine as its {@link DeliveryObserver}; then
 * {@link #bindEngine} once and {@link #bindListener} once, as their sources exist; {@link #close()}
 * at shutdown. Engine and listener series exist from construction and read 0 (counters) or NaN
 * (gauges without a reading) until bound or while the listener is not running.
 *
 * <p>Threading: every method is thread-safe. The observer callbacks only record into a cached
 * timer; the sources are read when the registry is scraped, once per source per {@link #scrape()}.
 * Retries and dead letters are counted from {@link SinkStats}, so their callbacks record nothing.
 */
public final class BridgeMetrics implements DeliveryObserver, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BridgeMetrics.class);

    private static final Pattern COUNTER_NAME = Pattern.compile("[a-z][a-z0-9]*(_[a-z0-9]+)*");
    /** Series of the engine under {@code bridge_sink_}, which a sink's own counter must not shadow. */
    private static final Set<String> ENGINE_SINK_SERIES = Set.of(
            "received", "delivered", "retried", "dead_lettered", "buffered_changes", "buffered_bytes", "buffer_fill_ratio",
            "checkpoint_lag", "lost_changes", "state", "oldest_unsettled_age_seconds");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final Source<EngineStats> engine = new Source<>("engine");
    private final Source<ListenerStats> listener = new Source<>("listener");
    private final Map<String, Timer> latency = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> sinkCounters = new ConcurrentHashMap<>();
    private volatile List<ChangeSink> sinks = List.of();

    /** Makes the registry with the JVM's and process's meters and the engine's and listener's series. */
    public BridgeMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);

        counter("bridge.engine.changes.received", "The most changes any sink's reader took from the source",
                m -> m.engine.read(EngineStats::received));
        gauge("bridge.engine.checkpoint.lag", "The largest checkpoint lag of the sinks (bridge_sink_checkpoint_lag)",
                m -> m.engine.reading(EngineStats::checkpointLag));
        counter("bridge.engine.lost.changes", "The most changes the change log pruned before one of the sinks read them (bridge_sink_lost_changes)",
                m -> m.engine.read(EngineStats::lost));

        gauge("bridge.listener.connected", "1 while every PostgreSQL listener (one per sink at least once) is listening, else 0",
                m -> m.listener.get().map(s -> s.connected() ? 1.0 : 0.0).orElse(0.0));
        counter("bridge.listener.notifications", "Notifications received on the channel", m -> m.listener.read(ListenerStats::notifications));
        counter("bridge.listener.changes", "Changes handed to the engine, by the listener that handed over most",
                m -> m.listener.read(ListenerStats::changes));
        counter("bridge.listener.malformed.changes", "Complete messages or log rows that were not valid changes (dropped)",
                m -> m.listener.read(ListenerStats::malformedChanges));
        counter("bridge.listener.replayed.messages", "Signed messages sent again, or of transactions committed before the listener"
                + " was listening (dropped)", m -> m.listener.read(ListenerStats::replayedMessages));
        counter("bridge.listener.rejected.log.rows", "Change-log rows no capture trigger wrote: their change names another seq (skipped)",
                m -> m.listener.read(ListenerStats::rejectedLogRows));
        counter("bridge.listener.reconnects", "Connections re-established after a loss", m -> m.listener.read(ListenerStats::reconnects));
        gauge("bridge.listener.queue.usage.ratio", "Last reading of pg_notification_queue_usage(), 0 to 1",
                m -> m.listener.reading(ListenerStats::queueUsage));
        counter("bridge.listener.reassembly.completed", "Messages reassembled from their frames",
                m -> m.listener.read(s -> s.reassembly().completed()));
        for (RejectReason reason : RejectReason.values()) {
            FunctionCounter.builder("bridge.listener.reassembly.rejected", this, m -> m.listener.read(s -> s.reassembly().rejected(reason)))
                    .description("Frames rejected and messages dropped by the reassembler, by reason")
                    .tag("reason", reason.name().toLowerCase(Locale.ROOT))
                    .register(registry);
        }
    }

    /**
     * Binds the engine's counters and registers each sink's series. Call once, after the engine is made.
     *
     * @param stats the engine's current counters, e.g. {@code engine::stats}
     * @param sinks the configured sinks, for their names and their own {@link ChangeSink#counters()}
     * @throws IllegalArgumentException if a sink reports a counter whose name is not lower_snake_case
     *     or clashes with a series of the engine
     * @throws IllegalStateException if already bound
     */
    /**
     * {@code bridge_leader{consumer, partition}}: 1 for each partition this process leads (delivers)
     * now, 0 for the others; {@code leading} is read at each scrape.
     */
    public void bindLeadership(String consumer, int partitions, Supplier<Set<Integer>> leading) {
        Objects.requireNonNull(leading, "leading");
        for (int p = 0; p < partitions; p++) {
            int partition = p;
            Gauge.builder("bridge.leader", this, m -> leading.get().contains(partition) ? 1.0 : 0.0)
                    .description("1 while this process leads the partition of the consumer (delivers its changes), 0 while it stands by")
                    .tag("consumer", consumer).tag("partition", Integer.toString(partition)).register(registry);
        }
    }

    public void bindEngine(Supplier<EngineStats> stats, List<ChangeSink> sinks) {
        Objects.requireNonNull(stats, "stats");
        List<ChangeSink> bound = List.copyOf(sinks);
        for (ChangeSink sink : bound) {
            for (String counter : sink.counters().keySet()) {
                String problem = counterNameProblem(counter);
                if (problem != null) {
                    throw new IllegalArgumentException("sink '" + sink.name() + "' reports a counter named '" + counter + "', which " + problem);
                }
            }
        }
        engine.bind(() -> Optional.ofNullable(stats.get()));
        this.sinks = bound;
        for (ChangeSink sink : bound) {
            String name = sink.name();
            sinkCounter("bridge.sink.received", name, "Changes that passed the sink's filter", SinkStats::received);
            sinkCounter("bridge.sink.delivered", name, "Changes the sink acknowledged as delivered", SinkStats::delivered);
            sinkCounter("bridge.sink.retried", name, "Deliveries scheduled again", SinkStats::retried);
            sinkCounter("bridge.sink.dead.lettered", name, "Changes given up on and stored as dead letters", SinkStats::deadLettered);
            sinkGauge("bridge.sink.buffered.changes", name, "Changes waiting for or in delivery", SinkStats::buffered);
            sinkGauge("bridge.sink.buffered.bytes", name, "Approximate size of the buffered changes", SinkStats::bufferedBytes);
            sinkGauge("bridge.sink.buffer.fill.ratio", name, "How full the sink's buffer is, 0 to 1", SinkStats::bufferFill);
            sinkGauge("bridge.sink.checkpoint.lag", name, "Changes the sink's reader took that its saved checkpoint does not cover yet",
                    SinkStats::checkpointLag);
            sinkGauge("bridge.sink.oldest.unsettled.age.seconds", name, "How long ago the engine took the oldest change the sink has"
                    + " not settled; 0 when none waits", st -> st.oldestUnsettledAge().toNanos() / 1e9);
            for (SinkState state : SinkState.values()) {
                Gauge.builder("bridge.sink.state", this, m -> m.engine.reading(st -> sinkStats(st, name)
                                .map(x -> x.state() == state ? 1.0 : 0.0).orElse(Double.NaN)))
                        .description("1 for the sink's state now (delivering, degraded or down), 0 for the others")
                        .tag("sink", name).tag("state", state.name().toLowerCase(Locale.ROOT)).register(registry);
            }
            sinkCounter("bridge.sink.lost.changes", name, "Changes the change log pruned after its maximum retention before this sink read them",
                    SinkStats::lost);
            timer(name);
            registerOwnCounters(sink);
        }
    }

    /**
     * Binds the PostgreSQL listener's counters. Call once.
     *
     * @param stats the listener's current counters, or empty while it is not running
     * @throws IllegalStateException if already bound
     */
    public void bindListener(Supplier<Optional<ListenerStats>> stats) {
        listener.bind(Objects.requireNonNull(stats, "stats"));
    }

    @Override
    public void delivered(String sink, Change change, Duration latency) {
        Timer timer = this.latency.get(sink);
        (timer != null ? timer : timer(sink)).record(latency);
    }

    /** The registry, for meters of other components. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /**
     * The current values in the Prometheus text format (version 0.0.4). Reads the engine and the
     * listener once each, and registers sink counters that appeared since the last scrape.
     */
    public String scrape() {
        for (ChangeSink sink : sinks) {
            registerOwnCounters(sink);
        }
        engine.hold();
        listener.hold();
        try {
            return registry.scrape();
        } finally {
            engine.release();
            listener.release();
        }
    }

    /** Unbinds the GC listener and closes the registry. Idempotent. */
    @Override
    public void close() {
        gc.close();
        registry.close();
    }

    private Timer timer(String sink) {
        return latency.computeIfAbsent(sink, name -> Timer.builder("bridge.delivery.latency")
                .description("Time from the engine receiving a change to the sink acknowledging it")
                .tag("sink", name)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(2))
                .register(registry));
    }

    private void counter(String name, String description, ToDoubleFunction<BridgeMetrics> value) {
        FunctionCounter.builder(name, this, value).description(description).register(registry);
    }

    private void gauge(String name, String description, ToDoubleFunction<BridgeMetrics> value) {
        Gauge.builder(name, this, value).description(description).register(registry);
    }

    private void sinkCounter(String name, String sink, String description, ToLongFunction<SinkStats> value) {
        FunctionCounter.builder(name, this, m -> m.engine.read(s -> sinkValue(s, sink, value)))
                .description(description).tag("sink", sink).register(registry);
    }

    private void sinkGauge(String name, String sink, String description, ToDoubleFunction<SinkStats> value) {
        Gauge.builder(name, this, m -> m.engine.reading(s -> sinkStats(s, sink).map(value::applyAsDouble).orElse(Double.NaN)))
                .description(description).tag("sink", sink).register(registry);
    }

    private static long sinkValue(EngineStats stats, String sink, ToLongFunction<SinkStats> value) {
        return sinkStats(stats, sink).map(value::applyAsLong).orElse(0L);
    }

    private static Optional<SinkStats> sinkStats(EngineStats stats, String sink) {
        for (SinkStats s : stats.sinks()) {
            if (s.sink().equals(sink)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    private void registerOwnCounters(ChangeSink sink) {
        Set<String> registered = sinkCounters.computeIfAbsent(sink.name(), n -> ConcurrentHashMap.newKeySet());
        Set<String> names;
        try {
            names = sink.counters().keySet();
        } catch (RuntimeException e) {
            return;
        }
        for (String counter : names) {
            if (registered.contains(counter)) {
                continue;
            }
            String problem = counterNameProblem(counter);
            if (problem != null) {
                if (registered.add(counter)) {
                    log.warn("sink '{}' reports a counter named '{}', which {}; it is not exported", sink.name(), counter, problem);
                }
                continue;
            }
            FunctionCounter.builder("bridge.sink." + counter, sink, ownCounter(counter))
                    .description("A counter of the sink itself")
                    .tag("sink", sink.name())
                    .register(registry);
            registered.add(counter);
        }
    }

    private static String counterNameProblem(String counter) {
        if (!COUNTER_NAME.matcher(counter).matches()) {
            return "is not lower_snake_case";
        }
        String base = counter.endsWith("_total") ? counter.substring(0, counter.length() - "_total".length()) : counter;
        if (ENGINE_SINK_SERIES.contains(base)) {
            return "clashes with the engine's series bridge_sink_" + base;
        }
        return null;
    }

    private static ToDoubleFunction<ChangeSink> ownCounter(String counter) {
        return sink -> {
            try {
                Long value = sink.counters().get(counter);
                return value == null ? 0 : value;
            } catch (RuntimeException e) {
                return Double.NaN;
            }
        };
    }

    /**
     * A bound supplier of stats, read at most once per {@link #scrape()}: during a scrape every series
     * sees the same reading. A supplier that fails reads as empty (logged once).
     */
    private static final class Source<T> {
        private final String what;
        private final ThreadLocal<Optional<T>> held = new ThreadLocal<>();
        private final AtomicBoolean failureLogged = new AtomicBoolean();
        private volatile Supplier<Optional<T>> supplier;

        Source(String what) {
            this.what = what;
        }

        synchronized void bind(Supplier<Optional<T>> supplier) {
            if (this.supplier != null) {
                throw new IllegalStateException("the " + what + " is already bound to the metrics");
            }
            this.supplier = supplier;
        }

        Optional<T> get() {
            Optional<T> reading = held.get();
            return reading != null ? reading : readNow();
        }

        /** A counter's value: 0 with no reading. */
        double read(ToLongFunction<T> value) {
            return get().map(value::applyAsLong).orElse(0L);
        }

        /** A gauge's value: NaN with no reading. */
        double reading(ToDoubleFunction<T> value) {
            return get().map(value::applyAsDouble).orElse(Double.NaN);
        }

        void hold() {
            held.set(readNow());
        }

        void release() {
            held.remove();
        }

        private Optional<T> readNow() {
            Supplier<Optional<T>> s = supplier;
            if (s == null) {
                return Optional.empty();
            }
            try {
                Optional<T> reading = s.get();
                return reading == null ? Optional.empty() : reading;
            } catch (RuntimeException e) {
                if (failureLogged.compareAndSet(false, true)) {
                    log.warn("reading the {}'s stats failed; its series read as absent", what, e);
                }
                return Optional.empty();
            }
        }
    }
}
