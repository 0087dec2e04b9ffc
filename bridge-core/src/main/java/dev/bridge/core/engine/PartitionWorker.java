package dev.bridge.core.engine;

import dev.bridge.core.BridgeException;
import dev.bridge.core.Change;
import dev.bridge.core.Checkpoint;
import dev.bridge.core.Gap;
import dev.bridge.core.LeaseLostException;
import dev.bridge.core.port.ChangeHandler;
import dev.bridge.core.port.ChangeSource;
import dev.bridge.core.port.CheckpointStore;
import dev.bridge.core.port.DeadLetterStore;
import dev.bridge.core.port.Lease;
import dev.bridge.core.port.Subscription;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one partition of a consumer (all of it, when there is one) to every sink, from the
 * checkpoints of that partition: a {@link SinkRunner} per sink, and a lane per subscription. The
 * sinks themselves are the engine's, started before and stopped after. Runs once.
 */
final class PartitionWorker {

    private static final Logger log = LoggerFactory.getLogger(DeliveryEngine.class);
    /** A graceful stop slower than this says where its time went. */
    private static final long SLOW_STOP_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final String consumer;
    private final ChangeSource source;
    private final CheckpointStore checkpoints;
    private final EngineOptions options;
    /** The lease it delivers under, or null for the one partition of a consumer that is not coordinated. */
    private final Lease lease;
    private final Runnable onLeaseLost;
    private final List<SinkRunner> runners = new ArrayList<>();
    private final List<Lane> lanes = new ArrayList<>();
    private final ScheduledExecutorService checkpointer;
    private final AtomicBoolean abandoned = new AtomicBoolean();
    private final Object saving = new Object();
    private boolean started;
    private boolean stopped;

    PartitionWorker(String consumer, ChangeSource source, List<SinkBinding> sinks, CheckpointStore checkpoints, DeadLetterStore deadLetters,
            EngineOptions options, DeliveryObserver observer, Lease lease, Runnable onLeaseLost) {
        this.consumer = consumer;
        this.source = lease == null || lease.partitions() == 1 ? source : source.partition(lease.partition(), lease.partitions());
        this.checkpoints = checkpoints;
        this.options = options;
        this.lease = lease;
        this.onLeaseLost = onLeaseLost;
        for (SinkBinding binding : sinks) {
            runners.add(new SinkRunner(binding, deadLetters, observer, System::nanoTime, Clock.systemUTC(),
                    () -> lease == null || lease.valid()));
        }
        if (source.replayable()) {
            runners.forEach(r -> lanes.add(new Lane(List.of(r))));
        } else {
            lanes.add(new Lane(runners));
        }
        this.checkpointer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bridge-checkpoint-" + consumer + (lease == null ? "" : "-" + lease.partition()));
            t.setDaemon(true);
            return t;
        });
    }

    /** "partition 2 of 4 (epoch 7)", or "" when the consumer is not split. */
    String describePartition() {
        return lease == null ? "" : "partition " + lease.partition() + " of " + lease.partitions() + " (epoch " + lease.epoch() + ")";
    }

    Optional<Lease> lease() {
        return Optional.ofNullable(lease);
    }

    /**
     * Starts the runners, then subscribes each lane from its saved checkpoint.
     *
     * @throws BridgeException if the checkpoints cannot be read or a subscription fails; whatever
     *     was started is stopped again
     */
    synchronized void start() {
        started = true;
        runners.forEach(SinkRunner::start);
        try {
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
            abandon();
            throw e instanceof BridgeException b ? b
                    : new BridgeException("delivery engine " + consumer + " could not start: " + e.getMessage(), e);
        }
        long every = options.checkpointInterval().toMillis();
        checkpointer.scheduleWithFixedDelay(this::saveCheckpoints, every, every, TimeUnit.MILLISECONDS);
        log.info("delivery engine {} {}started with sinks {}", consumer, lease == null ? "" : "leads " + describePartition() + ", ",
                lanes.stream().map(Lane::describe).toList());
        if (!source.replayable() && runners.size() > 1) {
            log.info("the source of consumer {} cannot be read again, so its sinks share one subscription: a sink whose buffer is"
                    + " full holds back the others (with bridge-postgres, at-least-once mode gives each sink its own)", consumer);
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

    /**
     * Graceful stop: closes the subscriptions, which hand over what they have read and the
     * checkpoint after it; lets the sinks deliver what they hold until {@code deadline} (a handed-over
     * partition only for the engine's hand-over time, after which nothing more is sent and what is
     * in flight is awaited until {@code deadline}); saves each sink's checkpoint.
     *
     * @return whether every change taken was settled in time
     */
    synchronized boolean stop(Duration deadline) {
        if (!started || stopped || abandoned.get()) {
            return true;
        }
        stopped = true;
        long now = System.nanoTime();
        long until = now + deadline.toNanos();
        long delivering = lease == null ? until : Math.min(until, now + options.handOverTime().toNanos());
        closeSubscriptions();
        long closed = System.nanoTime();
        lanes.forEach(Lane::stopAccepting);
        runners.forEach(SinkRunner::beginStop);
        boolean drained = true;
        try {
            for (SinkRunner runner : runners) {
                drained &= runner.awaitDrained(delivering);
            }
            if (!drained) {
                for (SinkRunner runner : runners) {
                    runner.holdBack(until);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            drained = false;
        }
        long settled = System.nanoTime();
        endCheckpointer();
        if (!abandoned.get()) {
            saveCheckpoints();
        }
        runners.forEach(SinkRunner::close);
        long took = System.nanoTime() - now;
        if (took > SLOW_STOP_NANOS) {
            log.info("delivery engine {} took {} ms to stop {}: its reading closed after {} ms, its sinks settled {} ms later, and its"
                    + " checkpoints were saved {} ms after that", consumer, took / 1_000_000, describePartition().isEmpty() ? "delivering"
                    : describePartition(), (closed - now) / 1_000_000, (settled - closed) / 1_000_000, (System.nanoTime() - settled) / 1_000_000);
        }
        return drained && !abandoned.get();
    }

    /** Lets a save under way finish (interrupting it would fail it on its connection), then schedules no more. */
    private void endCheckpointer() {
        checkpointer.shutdown();
        try {
            if (!checkpointer.awaitTermination(options.checkpointInterval().toMillis() + 5_000, TimeUnit.MILLISECONDS)) {
                checkpointer.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            checkpointer.shutdownNow();
        }
    }

    /**
     * Stops at once, even while a graceful {@link #stop} is under way: no delivery starts after this
     * returns, and nothing more is saved. What was not settled is delivered again from the last
     * saved checkpoint. Does not wait for the subscriptions to let go of their connections.
     */
    void abandon() {
        if (!abandoned.compareAndSet(false, true)) {
            return;
        }
        checkpointer.shutdownNow();
        lanes.forEach(Lane::stopAccepting);
        runners.forEach(SinkRunner::beginStop);
        runners.forEach(SinkRunner::close);
        Thread closing = new Thread(this::closeSubscriptions, "bridge-close-" + consumer);
        closing.setDaemon(true);
        closing.start();
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

    /** Each sink's counters, with its position, in configuration order. */
    List<SinkStats> stats() {
        List<SinkStats> sinks = new ArrayList<>();
        for (Lane lane : lanes) {
            for (SinkRunner runner : lane.runners) {
                sinks.add(runner.stats().withPosition(lane.received.get() - lane.savedCovers, lane.lost.getOrDefault(runner.name(), 0L)));
            }
        }
        return sinks;
    }

    /** The most changes a lane took from the source. */
    long received() {
        return lanes.stream().mapToLong(l -> l.received.get()).max().orElse(0);
    }

    /** Not under the worker's own lock: a graceful stop, which holds that, waits for a save under way. */
    private void saveCheckpoints() {
        synchronized (saving) {
            for (Lane lane : lanes) {
                if (abandoned.get()) {
                    return;
                }
                if (!lane.saveCheckpoint()) {
                    return;
                }
            }
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
                long missed = PartitionWorker.this.checkpoints.lost(consumer, runner.name());
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

        /** Closes the subscription; until it has let go, what it hands over is still taken (a graceful stop relies on it). */
        void close() {
            if (subscription != null) {
                subscription.close();
            }
        }

        /** Returns false if the lease is lost: nothing more may be saved. */
        boolean saveCheckpoint() {
            long lowest = Long.MAX_VALUE;
            for (SinkRunner runner : runners) {
                lowest = Math.min(lowest, runner.lowestUnsettled());
            }
            Checkpoint safe = tracker.advance(lowest);
            if (lease != null && !lease.valid()) {
                return false;
            }
            if (safe == null || safe.equals(saved)) {
                return true;
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
            } catch (LeaseLostException e) {
                log.warn("delivery engine {} lost {}: {}; it stops delivering it at once", consumer, describePartition(), e.getMessage());
                onLeaseLost.run();
                return false;
            } catch (RuntimeException e) {
                if (abandoned.get()) {
                    log.debug("a save of checkpoint {} of consumer {} ended with the partition: {}", safe.position(), consumer, e.getMessage());
                    return false;
                }
                log.warn("could not save checkpoint {} of sink(s) {} of consumer {}; will try again", safe.position(), describeSinks(),
                        consumer, e);
            }
            return true;
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
