package dev.bridge.core.engine;

import dev.bridge.core.BridgeException;
import dev.bridge.core.port.ChangeSink;
import dev.bridge.core.port.ChangeSource;
import dev.bridge.core.port.CheckpointStore;
import dev.bridge.core.port.Coordinator;
import dev.bridge.core.port.DeadLetterStore;
import dev.bridge.core.port.DeliveryStore;
import dev.bridge.core.port.Lease;
import dev.bridge.core.port.Leadership;
import dev.bridge.core.port.Membership;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes changes from a source and delivers each to every sink whose filter matches: in order per
 * key and sink, different keys in parallel, in batches, at least once. Each sink reads a replayable
 * source through its own subscription, and its checkpoint advances only past changes it has
 * delivered or dead-lettered, so a sink that is slow or down holds back no other, a crash loses
 * nothing and repeats only what was in flight. See {@code docs/delivery.md}.
 *
 * <p>With a {@link Coordinator} (bridge-postgres's comes with {@code source(pg)}), any number of
 * processes may run one consumer: the consumer's changes are split into
 * {@linkplain Builder#partitions partitions} by key, and the engine delivers only the partitions
 * this process leads, each from its own checkpoints, saved only while its lease holds; the others
 * stand by. See {@code docs/operations.md}.
 *
 * <p>Lifecycle: {@link #start()} once, then {@link #stop()} once; thread-safe.
 */
public final class DeliveryEngine implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DeliveryEngine.class);

    private final String consumer;
    private final ChangeSource source;
    private final CheckpointStore checkpoints;
    private final DeadLetterStore deadLetters;
    private final EngineOptions options;
    private final DeliveryObserver observer;
    private final List<SinkBinding> sinks;
    private final Coordinator coordinator;
    private final int partitions;
    /** The workers of the partitions this process leads, by partition; the one worker when not coordinated. */
    private final Map<Integer, PartitionWorker> workers = new ConcurrentHashMap<>();
    /** Counters of the workers that ended, by sink (received, delivered, retried, dead-lettered), so that the engine's never go down. */
    private final Map<String, long[]> ended = new ConcurrentHashMap<>();
    /** Changes the workers that ended took from the source. */
    private final java.util.concurrent.atomic.AtomicLong endedReceived = new java.util.concurrent.atomic.AtomicLong();
    /** The deadline of the hand-overs of a graceful stop; until one, the configured shutdown deadline. */
    private volatile Duration handOverDeadline;
    private volatile boolean handOverDrained = true;
    private final ExecutorService leading;
    private final Instant created = Instant.now();
    private volatile Membership membership;
    private volatile boolean stopping;
    private boolean started;
    private boolean stopped;

    /**
     * The engine in one statement, every option not given at its default:
     * {@code DeliveryEngine.builder("my-service").source(pg).sink(redis).build()}.
     *
     * @param consumer the name the sinks' checkpoints are saved under; give each engine of a database its own
     */
    public static Builder builder(String consumer) {
        return new Builder(consumer);
    }

    /**
     * An engine that is not coordinated: it delivers every change, as the one process of its consumer.
     *
     * @param consumer the name the sinks' checkpoints are saved under
     * @param sinks the sinks, each with a unique name
     */
    public DeliveryEngine(String consumer, ChangeSource source, List<SinkBinding> sinks, CheckpointStore checkpoints,
            DeadLetterStore deadLetters, EngineOptions options, DeliveryObserver observer) {
        this(consumer, source, sinks, checkpoints, deadLetters, options, observer, null, 1);
    }

    /**
     * @param coordinator decides which partitions this process delivers; null for all of them, alone
     * @param partitions how many partitions the consumer's changes are split into; 1 without a coordinator
     */
    public DeliveryEngine(String consumer, ChangeSource source, List<SinkBinding> sinks, CheckpointStore checkpoints,
            DeadLetterStore deadLetters, EngineOptions options, DeliveryObserver observer, Coordinator coordinator, int partitions) {
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.source = Objects.requireNonNull(source, "source");
        this.checkpoints = Objects.requireNonNull(checkpoints, "checkpoints");
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
        this.options = Objects.requireNonNull(options, "options");
        this.observer = Objects.requireNonNull(observer, "observer");
        this.coordinator = coordinator;
        this.sinks = List.copyOf(sinks);
        Set<String> names = new HashSet<>();
        for (SinkBinding binding : this.sinks) {
            if (!names.add(binding.sink().name())) {
                throw new IllegalArgumentException("two sinks are named '" + binding.sink().name() + "'; give each a unique name");
            }
        }
        if (this.sinks.isEmpty()) {
            throw new IllegalArgumentException("the engine needs at least one sink");
        }
        if (partitions < 1 || partitions > MAX_PARTITIONS) {
            throw new IllegalArgumentException("partitions must be between 1 and " + MAX_PARTITIONS + ", got " + partitions);
        }
        if (partitions > 1 && coordinator == null) {
            throw new IllegalArgumentException("the engine of consumer " + consumer + " has " + partitions + " partitions but no"
                    + " coordinator to share them out; give it one (source(pg) does) or use 1 partition");
        }
        this.partitions = partitions;
        this.leading = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "bridge-leading-" + consumer);
            t.setDaemon(true);
            return t;
        });
    }

    /** The most partitions a consumer may have. */
    public static final int MAX_PARTITIONS = 1024;

    /**
     * Starts every sink; then, alone, subscribes to the source from the saved checkpoints (once per
     * sink if the source is {@linkplain ChangeSource#replayable() replayable}, else once for all
     * sinks); coordinated, joins the consumer's other processes and delivers each partition this
     * process comes to lead.
     *
     * @throws BridgeException if a sink fails to start, or (alone) the checkpoints cannot be read,
     *     or the source's {@code subscribe} throws; whatever was started is stopped again and the
     *     engine is left stopped. A source that connects in the background (bridge-postgres's
     *     listener) reports what goes wrong after that in its log and its stats, and keeps trying;
     *     so does the coordinator.
     * @throws IllegalStateException if the engine was started before: an engine runs once
     */
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("the engine of consumer " + consumer + " was started before; an engine runs once:"
                    + " build a new one to start again");
        }
        started = true;
        List<ChangeSink> running = new ArrayList<>();
        try {
            for (SinkBinding binding : sinks) {
                try {
                    binding.sink().start();
                } catch (RuntimeException e) {
                    throw new BridgeException("sink '" + binding.sink().name() + "' failed to start: " + e.getMessage(), e);
                }
                running.add(binding.sink());
            }
            if (coordinator == null) {
                PartitionWorker worker = worker(null);
                worker.start();
                workers.put(0, worker);
            } else {
                membership = coordinator.join(consumer, partitions, new Leading());
                log.info("delivery engine {} joined the processes of its consumer as {}: it delivers the partitions it leads, of {}",
                        consumer, membership.member(), partitions);
            }
        } catch (RuntimeException e) {
            stopped = true;
            stopping = true;
            stopSinks(running);
            leading.shutdownNow();
            throw e instanceof BridgeException b ? b
                    : new BridgeException("delivery engine " + consumer + " could not start: " + e.getMessage(), e);
        }
    }

    private PartitionWorker worker(Lease lease) {
        CheckpointStore store = lease == null ? checkpoints : checkpoints.leased(lease);
        return new PartitionWorker(consumer, source, sinks, store, deadLetters, options, observer, lease,
                () -> leading.execute(() -> end(lease, false)));
    }

    /** Stops within the configured shutdown deadline; see {@link #stop(Duration)}. */
    public boolean stop() {
        return stop(options.shutdownDeadline());
    }

    /**
     * Graceful stop: takes no more changes, lets deliveries in flight finish until {@code deadline},
     * abandons the rest (they are redelivered after a restart, or by the process that takes over),
     * saves each sink's checkpoint, hands the partitions it leads over to the processes standing
     * by, and stops the sinks.
     *
     * @return whether every change taken was settled in time
     */
    public synchronized boolean stop(Duration deadline) {
        if (!started || stopped) {
            return true;
        }
        stopped = true;
        stopping = true;
        boolean drained = true;
        if (membership != null) {
            drained = handOverAll(deadline);
        } else {
            for (PartitionWorker worker : workers.values()) {
                drained &= worker.stop(deadline);
                retire(worker);
            }
            workers.clear();
        }
        leading.shutdownNow();
        stopSinks(sinks.stream().map(SinkBinding::sink).toList());
        log.info("delivery engine {} stopped{}", consumer, drained ? "" : " (some deliveries were abandoned and will repeat)");
        return drained;
    }

    private boolean handOverAll(Duration deadline) {
        handOverDeadline = deadline;
        membership.close();
        workers.values().forEach(PartitionWorker::abandon);
        workers.clear();
        return handOverDrained;
    }

    private void stopSinks(List<ChangeSink> started) {
        for (ChangeSink sink : started) {
            try {
                sink.stop();
            } catch (RuntimeException e) {
                log.warn("sink {} failed to stop cleanly", sink.name(), e);
            }
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** The name the sinks' checkpoints are saved under. */
    public String consumer() {
        return consumer;
    }

    /** How many partitions the consumer's changes are split into. */
    public int partitions() {
        return partitions;
    }

    /** The partitions this process delivers now: all ({@code 0}) when not coordinated, those it leads when it is. */
    public Set<Integer> leading() {
        if (membership == null) {
            return workers.isEmpty() ? Set.of() : Set.of(0);
        }
        return new TreeSet<>(membership.leading());
    }

    /** This process's place among those of its consumer, once started, if coordinated. */
    public Optional<Membership> membership() {
        return Optional.ofNullable(membership);
    }

    /**
     * The counters now, of every partition this process has delivered. Each sink's own position is
     * in its {@link SinkStats}; the engine's {@code received} is that of all partitions, its
     * {@code checkpointLag} and {@code lost} the largest of its sinks'.
     */
    public EngineStats stats() {
        long received = endedReceived.get();
        Map<String, List<SinkStats>> bySink = new java.util.HashMap<>();
        for (PartitionWorker worker : List.copyOf(workers.values())) {
            received += worker.received();
            worker.stats().forEach(s -> bySink.computeIfAbsent(s.sink(), k -> new ArrayList<>()).add(s));
        }
        List<SinkStats> all = new ArrayList<>();
        for (SinkBinding binding : sinks) {
            String name = binding.sink().name();
            all.add(merge(name, binding.policy(), bySink.getOrDefault(name, List.of()), ended.getOrDefault(name, new long[4])));
        }
        long lag = all.stream().mapToLong(SinkStats::checkpointLag).max().orElse(0);
        long lost = all.stream().mapToLong(SinkStats::lost).max().orElse(0);
        return new EngineStats(received, lag, all, lost);
    }

    /** One sink's counters over the partitions: counts added up, the worst state, the oldest wait. */
    private SinkStats merge(String name, DeliveryPolicy policy, List<SinkStats> parts, long[] before) {
        long received = before[0];
        long delivered = before[1];
        long retried = before[2];
        long deadLettered = before[3];
        int buffered = 0;
        long bytes = 0;
        int capacity = 0;
        long lag = 0;
        long lost = 0;
        SinkStats worst = null;
        Duration oldest = Duration.ZERO;
        for (SinkStats s : parts) {
            received += s.received();
            delivered += s.delivered();
            retried += s.retried();
            deadLettered += s.deadLettered();
            buffered += s.buffered();
            bytes += s.bufferedBytes();
            capacity += s.bufferCapacity();
            lag += s.checkpointLag();
            lost += s.lost();
            if (worst == null || s.state().ordinal() > worst.state().ordinal()) {
                worst = s;
            }
            if (s.oldestUnsettledAge().compareTo(oldest) > 0) {
                oldest = s.oldestUnsettledAge();
            }
        }
        return new SinkStats(name, received, delivered, retried, deadLettered, buffered, bytes, capacity == 0 ? policy.bufferChanges() : capacity,
                worst == null ? SinkState.DELIVERING : worst.state(), worst == null ? created : worst.stateSince(), oldest, lag, lost);
    }

    /** Keeps the counters of a worker that ended. */
    private void retire(PartitionWorker worker) {
        endedReceived.addAndGet(worker.received());
        for (SinkStats s : worker.stats()) {
            long[] c = ended.computeIfAbsent(s.sink(), k -> new long[4]);
            synchronized (c) {
                c[0] += s.received();
                c[1] += s.delivered();
                c[2] += s.retried();
                c[3] += s.deadLettered();
            }
        }
    }

    /**
     * Ends the worker of a lease: handed over gracefully, or abandoned at once when the lease is lost,
     * which may come while a hand-over is under way and cuts it short.
     */
    private boolean end(Lease lease, boolean gracefully) {
        PartitionWorker worker = workers.get(lease.partition());
        if (worker == null || worker.lease().orElse(null) != lease) {
            return true;
        }
        boolean drained = true;
        if (gracefully) {
            drained = worker.stop(handOverDeadline == null ? options.shutdownDeadline() : handOverDeadline);
            if (workers.remove(lease.partition(), worker)) {
                retire(worker);
                log.info("delivery engine {} handed {} over{}", consumer, worker.describePartition(),
                        drained ? "" : " (some deliveries were abandoned and will repeat)");
            }
        } else {
            worker.abandon();
            if (workers.remove(lease.partition(), worker)) {
                retire(worker);
            }
            log.warn("delivery engine {} lost {} and stopped delivering it; the process that leads it now goes on from its last"
                    + " saved checkpoint", consumer, worker.describePartition());
        }
        return drained;
    }

    /** What the coordinator says of each partition, acted on. */
    private final class Leading implements Leadership {
        @Override
        public void lead(Lease lease) {
            if (stopping) {
                return;
            }
            PartitionWorker worker = worker(lease);
            workers.put(lease.partition(), worker);
            leading.execute(() -> startLed(worker, lease));
        }

        private void startLed(PartitionWorker worker, Lease lease) {
            while (!stopping && lease.valid() && workers.get(lease.partition()) == worker) {
                try {
                    worker.start();
                    return;
                } catch (RuntimeException e) {
                    log.error("delivery engine {} could not start {}: {}; trying again in a second", consumer,
                            worker.describePartition(), e.getMessage());
                    PartitionWorker again = worker(lease);
                    if (!workers.replace(lease.partition(), worker, again)) {
                        return;
                    }
                    worker = again;
                    try {
                        Thread.sleep(1_000);
                    } catch (InterruptedException interrupted) {
                        return;
                    }
                }
            }
        }

        @Override
        public void handOver(Lease lease) {
            handOverDrained &= end(lease, true);
        }

        @Override
        public void lost(Lease lease) {
            end(lease, false);
        }
    }

    /**
     * Collects what an engine needs; {@link #build()} checks it. A source and at least one sink are
     * required; the options default to {@link EngineOptions#defaults()}, each sink's policy to
     * {@link DeliveryPolicy#defaults()} and its filter to {@link SinkFilter#all()}.
     */
    public static final class Builder {
        private final String consumer;
        private final List<SinkBinding> sinks = new ArrayList<>();
        private ChangeSource source;
        private CheckpointStore checkpoints;
        private DeadLetterStore deadLetters;
        private Coordinator coordinator;
        private int partitions = 1;
        private EngineOptions options = EngineOptions.defaults();
        private DeliveryObserver observer = DeliveryObserver.NONE;

        private Builder(String consumer) {
            this.consumer = Objects.requireNonNull(consumer, "consumer");
            if (consumer.isBlank()) {
                throw new IllegalArgumentException("the consumer name must not be blank");
            }
        }

        /**
         * Changes, checkpoints and dead letters from one database, and its coordinator if it has one
         * ({@link DeliveryStore#coordinator()}), so that processes sharing the consumer take turns.
         */
        public Builder source(DeliveryStore store) {
            Objects.requireNonNull(store, "store");
            this.coordinator = store.coordinator().orElse(null);
            return source(store.changeSource(), store.checkpointStore(), store.deadLetterStore());
        }

        /**
         * Shares the consumer's partitions among the processes that run it; null for none (this
         * process delivers every change, alone). {@link #source(DeliveryStore)} sets the store's.
         */
        public Builder coordinator(Coordinator value) {
            this.coordinator = value;
            return this;
        }

        /**
         * Splits the consumer's changes by key into {@code count} partitions, each led by one process
         * at a time ({@link dev.bridge.core.Partitioning}); needs a coordinator. Default: 1. Every
         * process of a consumer must use the same count.
         */
        public Builder partitions(int count) {
            this.partitions = count;
            return this;
        }

        /** Changes, checkpoints and dead letters from where you choose. */
        public Builder source(ChangeSource changes, CheckpointStore checkpointStore, DeadLetterStore deadLetterStore) {
            this.source = Objects.requireNonNull(changes, "changes");
            this.checkpoints = Objects.requireNonNull(checkpointStore, "checkpointStore");
            this.deadLetters = Objects.requireNonNull(deadLetterStore, "deadLetterStore");
            return this;
        }

        /** A sink that receives every change, fed by {@link DeliveryPolicy#defaults()}. */
        public Builder sink(ChangeSink sink) {
            return sink(sink, SinkFilter.all(), DeliveryPolicy.defaults());
        }

        /** A sink that receives the changes {@code filter} lets through, fed by {@link DeliveryPolicy#defaults()}. */
        public Builder sink(ChangeSink sink, SinkFilter filter) {
            return sink(sink, filter, DeliveryPolicy.defaults());
        }

        public Builder sink(ChangeSink sink, SinkFilter filter, DeliveryPolicy policy) {
            sinks.add(new SinkBinding(sink, filter, policy));
            return this;
        }

        public Builder options(EngineOptions value) {
            this.options = Objects.requireNonNull(value, "options");
            return this;
        }

        /** Hears of every delivery outcome, e.g. for metrics. Default: {@link DeliveryObserver#NONE}. */
        public Builder observer(DeliveryObserver value) {
            this.observer = Objects.requireNonNull(value, "observer");
            return this;
        }

        /**
         * @throws IllegalStateException without a source
         * @throws IllegalArgumentException without a sink, with two sinks of one name, or with
         *     partitions but no coordinator
         */
        public DeliveryEngine build() {
            if (source == null) {
                throw new IllegalStateException("the engine of consumer '" + consumer + "' has no source; call source(...) before build()");
            }
            return new DeliveryEngine(consumer, source, sinks, checkpoints, deadLetters, options, observer, coordinator, partitions);
        }
    }

}
