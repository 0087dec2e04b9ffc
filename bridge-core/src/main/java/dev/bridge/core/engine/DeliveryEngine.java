package dev.bridge.core.engine;

import dev.bridge.core.BridgeException;
import dev.bridge.core.Change;
import dev.bridge.core.Checkpoint;
import dev.bridge.core.Gap;
import dev.bridge.core.port.ChangeHandler;
import dev.bridge.core.port.ChangeSource;
import dev.bridge.core.port.CheckpointStore;
import dev.bridge.core.port.ChangeSink;
import dev.bridge.core.port.DeadLetterStore;
import dev.bridge.core.port.DeliveryStore;
import dev.bridge.core.port.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes changes from a source and delivers each to every sink whose filter matches: in order per
 * key and sink, different keys in parallel, in batches, at least once. Each sink reads a replayable
 * source through its own subscription, and its checkpoint advances only past changes it has
 * delivered or dead-lettered, so a sink that is slow or down holds back no other, a crash loses
 * nothing and repeats only what was in flight. See {@code docs/delivery.md}.
 *
 * <p>Lifecycle: {@link #start()} once, then {@link #stop()} once; thread-safe.
 */
public final class DeliveryEngine implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DeliveryEngine.class);

    private final String consumer;
    private final ChangeSource source;
    private final CheckpointStore checkpoints;
    private final EngineOptions options;
    private final List<SinkRunner> runners = new ArrayList<>();
    private final List<Lane> lanes = new ArrayList<>();
    private final ScheduledExecutorService checkpointer;
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
     * @param consumer the name the sinks' checkpoints are saved under
     * @param sinks the sinks, each with a unique name
     */
    public DeliveryEngine(String consumer, ChangeSource source, List<SinkBinding> sinks, CheckpointStore checkpoints,
            DeadLetterStore deadLetters, EngineOptions options, DeliveryObserver observer) {
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.source = Objects.requireNonNull(source, "source");
        this.checkpoints = Objects.requireNonNull(checkpoints, "checkpoints");
        this.options = Objects.requireNonNull(options, "options");
        Objects.requireNonNull(deadLetters, "deadLetters");
        Objects.requireNonNull(observer, "observer");
        Set<String> names = new HashSet<>();
        for (SinkBinding binding : sinks) {
            if (!names.add(binding.sink().name())) {
                throw new IllegalArgumentException("two sinks are named '" + binding.sink().name() + "'; give each a unique name");
            }
            runners.add(new SinkRunner(binding, deadLetters, observer, System::nanoTime, java.time.Clock.systemUTC()));
        }
        if (runners.isEmpty()) {
            throw new IllegalArgumentException("the engine needs at least one sink");
        }
        if (source.replayable()) {
            runners.forEach(r -> lanes.add(new Lane(List.of(r))));
        } else {
            lanes.add(new Lane(runners));
        }
        this.checkpointer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bridge-checkpoint-" + consumer);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts every sink, then subscribes to the source from the saved checkpoints: once per sink
     * from its own checkpoint if the source is {@linkplain ChangeSource#replayable() replayable},
     * else once for all sinks.
     *
     * @throws BridgeException if a sink fails to start, or the checkpoints cannot be read, or the
     *     source's {@code subscribe} throws; whatever was started is stopped again and the engine is
     *     left stopped. A source that connects in the background (bridge-postgres's listener)
     *     reports what goes wrong after that in its log and its stats, and keeps trying.
     * @throws IllegalStateException if the engine was started before: an engine runs once
     */
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("the engine of consumer " + consumer + " was started before; an engine runs once:"
                    + " build a new one to start again");
        }
        started = true;
        List<SinkRunner> running = new ArrayList<>();
        try {
            for (SinkRunner runner : runners) {
                try {
                    runner.sink().start();
                } catch (RuntimeException e) {
                    throw new BridgeException("sink '" + runner.name() + "' failed to start: " + e.getMessage(), e);
                }
                running.add(runner);
                runner.start();
            }
            Set<String> names = new LinkedHashSet<>();
            runners.forEach(r -> names.add(r.name()));
            Map<String, Checkpoint> saved = checkpoints.load(consumer, names);
            for (Lane lane : lanes) {
                lane.load(saved);
            }
            for (Lane lane : lanes) {
                lane.subscribe();
            }
            warnOfUnconfigured(saved.keySet(), names);
        } catch (RuntimeException e) {
            stopped = true;
            closeSubscriptions();
            running.forEach(SinkRunner::beginStop);
            running.forEach(SinkRunner::close);
            checkpointer.shutdownNow();
            throw e instanceof BridgeException b ? b
                    : new BridgeException("delivery engine " + consumer + " could not start: " + e.getMessage(), e);
        }
        long every = options.checkpointInterval().toMillis();
        checkpointer.scheduleWithFixedDelay(this::saveCheckpoints, every, every, TimeUnit.MILLISECONDS);
        log.info("delivery engine {} started with sinks {}", consumer,
                lanes.stream().map(Lane::describe).toList());
        if (!source.replayable() && runners.size() > 1) {
            log.info("the source of consumer {} cannot be read again, so its sinks share one subscription: a sink whose buffer is"
                    + " full holds back the others (with bridge-postgres, at-least-once mode gives each sink its own)", consumer);
        }
    }

    /** Closes every lane's subscription at once: each may take seconds to let go of its connection. */
    private void closeSubscriptions() {
        List<Thread> closing = new ArrayList<>();
        for (Lane lane : lanes) {
            Thread t = new Thread(lane::close, "bridge-close-" + consumer);
            t.setDaemon(true);
            t.start();
            closing.add(t);
        }
        for (Thread t : closing) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void warnOfUnconfigured(Set<String> saved, Set<String> configured) {
        for (String sink : saved) {
            if (!configured.contains(sink)) {
                log.warn("consumer {} has a checkpoint for sink '{}', which is not configured: it holds the change log (up to its"
                        + " maximum retention) until you drop it with `bridge checkpoint drop --consumer {} --sink {}`", consumer, sink,
                        consumer, sink);
            }
        }
    }

    /** Stops within the configured shutdown deadline; see {@link #stop(Duration)}. */
    public boolean stop() {
        return stop(options.shutdownDeadline());
    }

    /**
     * Graceful stop: takes no more changes, lets deliveries in flight finish until {@code deadline},
     * abandons the rest (they are redelivered after a restart), stops the sinks and saves each
     * sink's checkpoint.
     *
     * @return whether every change taken was settled in time
     */
    public synchronized boolean stop(Duration deadline) {
        if (!started || stopped) {
            return true;
        }
        stopped = true;
        lanes.forEach(Lane::stopAccepting);
        runners.forEach(SinkRunner::beginStop);
        closeSubscriptions();
        long until = System.nanoTime() + deadline.toNanos();
        boolean drained = true;
        try {
            for (SinkRunner runner : runners) {
                drained &= runner.awaitDrained(until);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            drained = false;
        }
        checkpointer.shutdownNow();
        saveCheckpoints();
        runners.forEach(SinkRunner::close);
        log.info("delivery engine {} stopped{}", consumer, drained ? "" : " (some deliveries were abandoned and will repeat)");
        return drained;
    }

    @Override
    public void close() {
        stop();
    }

    /** The name the sinks' checkpoints are saved under. */
    public String consumer() {
        return consumer;
    }

    /**
     * The counters now. Each sink's own position is in its {@link SinkStats}; the engine's
     * {@code received}, {@code checkpointLag} and {@code lost} are the largest of its sinks'.
     */
    public EngineStats stats() {
        List<SinkStats> sinks = new ArrayList<>();
        long received = 0;
        for (Lane lane : lanes) {
            received = Math.max(received, lane.received.get());
            for (SinkRunner runner : lane.runners) {
                sinks.add(runner.stats().withPosition(lane.received.get() - lane.savedCovers, lane.lost.getOrDefault(runner.name(), 0L)));
            }
        }
        long lag = sinks.stream().mapToLong(SinkStats::checkpointLag).max().orElse(0);
        long lost = sinks.stream().mapToLong(SinkStats::lost).max().orElse(0);
        return new EngineStats(received, lag, sinks, lost);
    }

    private synchronized void saveCheckpoints() {
        for (Lane lane : lanes) {
            lane.saveCheckpoint();
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
        private EngineOptions options = EngineOptions.defaults();
        private DeliveryObserver observer = DeliveryObserver.NONE;

        private Builder(String consumer) {
            this.consumer = Objects.requireNonNull(consumer, "consumer");
            if (consumer.isBlank()) {
                throw new IllegalArgumentException("the consumer name must not be blank");
            }
        }

        /** Changes, checkpoints and dead letters from one database. */
        public Builder source(DeliveryStore store) {
            Objects.requireNonNull(store, "store");
            return source(store.changeSource(), store.checkpointStore(), store.deadLetterStore());
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
         * @throws IllegalArgumentException without a sink, or with two sinks of one name
         */
        public DeliveryEngine build() {
            if (source == null) {
                throw new IllegalStateException("the engine of consumer '" + consumer + "' has no source; call source(...) before build()");
            }
            return new DeliveryEngine(consumer, source, sinks, checkpoints, deadLetters, options, observer);
        }
    }

    /**
     * Sinks that read the source through one subscription and share one position: a single sink
     * (a replayable source), or all of them (a live-only one). Its checkpoint is saved under each
     * of its sinks' names.
     */
    private final class Lane implements ChangeHandler {
        final List<SinkRunner> runners;
        final CheckpointTracker tracker = new CheckpointTracker();
        final AtomicLong received = new AtomicLong();
        /** What {@link CheckpointStore#lost} said last, by sink. */
        final Map<String, Long> lost = new ConcurrentHashMap<>();
        volatile boolean accepting;
        volatile long savedCovers;
        Checkpoint saved;
        Subscription subscription;

        Lane(List<SinkRunner> runners) {
            this.runners = List.copyOf(runners);
        }

        /** Resumes from the checkpoint of its first sink that has one (a lane of several sinks saves the same under each). */
        void load(Map<String, Checkpoint> checkpoints) {
            for (SinkRunner runner : runners) {
                if (saved == null && checkpoints.containsKey(runner.name())) {
                    saved = checkpoints.get(runner.name());
                }
                long missed = DeliveryEngine.this.checkpoints.lost(consumer, runner.name());
                lost.put(runner.name(), missed);
                if (missed > 0) {
                    log.warn("sink {} of consumer {} has missed {} changes in all: the source dropped them before the sink read them"
                            + " (the change log's maximum retention); `bridge checkpoint show` says until when", runner.name(), consumer, missed);
                }
            }
        }

        void subscribe() {
            accepting = true;
            subscription = source.subscribe(Optional.ofNullable(saved), this);
        }

        String describeSinks() {
            return runners.stream().map(SinkRunner::name).collect(Collectors.joining("+"));
        }

        String describe() {
            return describeSinks() + " from " + (saved == null ? "the beginning" : "checkpoint " + saved.position());
        }

        void stopAccepting() {
            accepting = false;
        }

        void close() {
            accepting = false;
            if (subscription != null) {
                subscription.close();
            }
        }

        void saveCheckpoint() {
            long lowest = Long.MAX_VALUE;
            for (SinkRunner runner : runners) {
                lowest = Math.min(lowest, runner.lowestUnsettled());
            }
            Checkpoint safe = tracker.advance(lowest);
            if (safe == null || safe.equals(saved)) {
                return;
            }
            try {
                for (SinkRunner runner : runners) {
                    checkpoints.save(consumer, runner.name(), safe);
                    long now = checkpoints.lost(consumer, runner.name());
                    long before = lost.getOrDefault(runner.name(), 0L);
                    if (now > before) {
                        log.warn("sink {} of consumer {} missed {} more changes: the source dropped them before the sink read them (the"
                                + " change log's maximum retention); they will not be delivered to it", runner.name(), consumer, now - before);
                        lost.put(runner.name(), now);
                    }
                }
                saved = safe;
                savedCovers = tracker.safeCovers();
            } catch (RuntimeException e) {
                log.warn("could not save checkpoint {} of sink(s) {} of consumer {}; will try again", safe.position(), describeSinks(),
                        consumer, e);
            }
        }

        @Override
        public void onChange(Change change) throws InterruptedException {
            if (!accepting) {
                return;
            }
            long position = received.getAndIncrement();
            for (SinkRunner runner : runners) {
                runner.offer(position, change);
            }
        }

        @Override
        public boolean hasRoom(long changeBytes) {
            for (SinkRunner runner : runners) {
                if (!runner.hasRoom(changeBytes)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public void onCheckpoint(Checkpoint checkpoint) {
            if (accepting) {
                tracker.mark(received.get(), checkpoint);
            }
        }

        @Override
        public void onGap(Gap gap) {
            log.warn("the source could not see changes from {} to {} ({})", gap.from(), gap.to(), gap.cause());
        }
    }
}
