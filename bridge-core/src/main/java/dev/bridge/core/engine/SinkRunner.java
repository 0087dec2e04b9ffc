package dev.bridge.core.engine;

import dev.bridge.core.Change;
import dev.bridge.core.engine.KeyedBuffer.Entry;
import dev.bridge.core.port.Ack;
import dev.bridge.core.port.Acknowledger;
import dev.bridge.core.port.ChangeSink;
import dev.bridge.core.port.DeadLetterStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds one sink from a {@link KeyedBuffer}: a dispatcher thread forms batches of distinct keys,
 * {@code parallelism} threads deliver them, acknowledgements settle each change or schedule its
 * retry ({@link RetryDecision}), and one more thread stores dead letters. While the endpoint is
 * down ({@link EndpointHealth}) it sends probes instead of batches. The observer hears of each
 * outcome, and the log of each outage, outside the lock.
 */
final class SinkRunner {

    private static final Logger log = LoggerFactory.getLogger(SinkRunner.class);
    /** What a change with no data counts for in the buffer's bytes. */
    private static final long MIN_CHANGE_BYTES = 128;
    private static final long OUTAGE_WARNINGS_EVERY = TimeUnit.SECONDS.toNanos(30);

    private final String name;
    private final ChangeSink sink;
    private final SinkFilter filter;
    private final DeliveryPolicy policy;
    private final DeadLetterStore deadLetters;
    private final DeliveryObserver observer;
    private final LongSupplier nanoClock;
    private final Clock wallClock;
    private final Random random = new Random();
    private final java.util.function.BooleanSupplier mayDeliver;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notFull = lock.newCondition();
    private final Condition work = lock.newCondition();
    private final KeyedBuffer buffer;
    private final EndpointHealth health;
    private final OutageWarnings warnings;
    /** The state the observer was last told of. */
    private SinkState told = SinkState.DELIVERING;
    private final List<Batch> inFlight = new ArrayList<>();
    /** Observer notices and log lines of what happened while the dispatcher held the lock; guarded by it. */
    private final List<Runnable> unheard = new ArrayList<>();
    private final ExecutorService deliverers;
    private final ExecutorService deadLetterWriter;
    private final Thread dispatcher;
    private boolean stopping;
    /** Whether nothing more is sent, while what is in flight is still settled (the end of a hand-over); guarded by the lock. */
    private boolean holding;
    /** Whether {@link #hasRoom} waits for the buffer to drain to half; guarded by the lock. */
    private boolean refilling;
    private boolean closed;

    private final AtomicLong received = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();

    /**
     * @param mayDeliver asked right before each batch goes to the sink: false once the process may no
     *     longer deliver (its lease ended), and the batch is then not sent
     */
    SinkRunner(SinkBinding binding, DeadLetterStore deadLetters, DeliveryObserver observer, LongSupplier nanoClock, Clock wallClock,
            java.util.function.BooleanSupplier mayDeliver) {
        this.mayDeliver = mayDeliver;
        this.sink = binding.sink();
        this.name = sink.name();
        this.filter = binding.filter();
        this.policy = binding.policy();
        this.deadLetters = deadLetters;
        this.observer = observer;
        this.nanoClock = nanoClock;
        this.wallClock = wallClock;
        this.buffer = new KeyedBuffer(policy.bufferChanges(), policy.bufferBytes());
        this.health = new EndpointHealth(policy.endpoint(), nanoClock.getAsLong());
        this.warnings = new OutageWarnings(name, OUTAGE_WARNINGS_EVERY);
        AtomicInteger threads = new AtomicInteger();
        this.deliverers = Executors.newFixedThreadPool(policy.parallelism(), r -> daemon(r, "bridge-sink-" + name + "-" + threads.incrementAndGet()));
        this.deadLetterWriter = Executors.newSingleThreadExecutor(r -> daemon(r, "bridge-dead-letters-" + name));
        this.dispatcher = daemon(this::dispatch, "bridge-dispatch-" + name);
    }

    private static Thread daemon(Runnable r, String threadName) {
        Thread t = new Thread(r, threadName);
        t.setDaemon(true);
        return t;
    }

    String name() {
        return name;
    }

    ChangeSink sink() {
        return sink;
    }

    void start() {
        dispatcher.start();
    }

    /** Takes a change if the filter lets it through, waiting while the buffer is full. */
    void offer(long position, Change change) throws InterruptedException {
        if (!filter.matches(change)) {
            return;
        }
        long bytes = sizeOf(change);
        lock.lockInterruptibly();
        try {
            while (!stopping && !buffer.hasRoomFor(bytes)) {
                notFull.await();
            }
            if (stopping) {
                return;
            }
            buffer.add(position, change, bytes, nanoClock.getAsLong());
            received.incrementAndGet();
            work.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether the source should hand over a change of about {@code changeBytes} of JSON: no once
     * the buffer has no room for it, and then yes again only once the buffer is down to half (and has
     * room for it), so that a sink slower than its source makes it read in large steps, not one
     * change at a time. When it says yes, {@link #offer} takes such a change without waiting.
     */
    boolean hasRoom(long changeBytes) {
        long size = MIN_CHANGE_BYTES + changeBytes;
        lock.lock();
        try {
            if (refilling) {
                refilling = !buffer.atMostHalfFull() || !buffer.hasRoomFor(size);
            } else if (!buffer.hasRoomFor(size)) {
                refilling = true;
            }
            return stopping || !refilling;
        } finally {
            lock.unlock();
        }
    }

    /** The smallest position not yet settled, or {@link Long#MAX_VALUE} if all are. */
    long lowestUnsettled() {
        lock.lock();
        try {
            return buffer.lowestUnsettled();
        } finally {
            lock.unlock();
        }
    }

    /** Takes no more changes; a source waiting on the buffer is released. */
    void beginStop() {
        lock.lock();
        try {
            stopping = true;
            notFull.signalAll();
            work.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until every buffered change is settled, the deadline ({@link System#nanoTime()}) passes,
     * the sink is down, or the runner is closed; returns whether all are settled.
     */
    boolean awaitDrained(long deadlineNanos) throws InterruptedException {
        lock.lock();
        try {
            while (!buffer.isEmpty() && !closed) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0 || health.state(nanoClock.getAsLong()) == SinkState.DOWN) {
                    // A sink that is down will not drain: what it holds is abandoned at once, and delivered after the restart.
                    return false;
                }
                notFull.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sends nothing more, and waits until what is in flight is settled, the deadline
     * ({@link System#nanoTime()}) passes or the runner is closed; what it holds stays unsettled, for
     * whoever delivers from the saved checkpoint next. Returns whether nothing is left in flight.
     */
    boolean holdBack(long deadlineNanos) throws InterruptedException {
        lock.lock();
        try {
            holding = true;
            while (!inFlight.isEmpty() && !closed) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                notFull.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(10)));
            }
            return inFlight.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** Stops dispatching and abandons whatever is still unsettled; the sink itself is the engine's to stop. */
    void close() {
        lock.lock();
        try {
            closed = true;
            work.signalAll();
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            dispatcher.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deliverers.shutdownNow();
        deadLetterWriter.shutdownNow();
    }

    SinkStats stats() {
        lock.lock();
        try {
            long now = nanoClock.getAsLong();
            Instant since = wallClock.instant().minusNanos(now - health.since(now));
            return new SinkStats(name, received.get(), delivered.get(), retried.get(), deadLettered.get(),
                    buffer.size(), buffer.bytes(), policy.bufferChanges(), health.state(now), since,
                    Duration.ofNanos(Math.max(0, buffer.oldestUnsettledAge(now))), 0, 0);
        } finally {
            lock.unlock();
        }
    }

    private void dispatch() {
        long lingerNanos = policy.linger().toNanos();
        lock.lock();
        try {
            while (!closed) {
                long now = nanoClock.getAsLong();
                buffer.promoteDue(now);
                timeOutBatches(now);
                heedState(now, unheard);
                health.tick(now);
                heedState(now, unheard);
                if (!unheard.isEmpty()) {
                    // What the time-outs and the state made known while this thread held the lock: heard outside it.
                    List<Runnable> notices = new ArrayList<>(unheard);
                    unheard.clear();
                    lock.unlock();
                    try {
                        notices.forEach(Runnable::run);
                    } finally {
                        lock.lock();
                    }
                    continue;
                }
                long wait = TimeUnit.SECONDS.toNanos(1);
                if (holding) {
                    // Nothing more is sent; time-outs and acknowledgements of what is in flight are still heard.
                } else if (health.state(now) == SinkState.DOWN) {
                    if (policy.endpoint().countOutages() && buffer.readyKeys() > 0) {
                        chargeOutage(now);
                        continue;
                    }
                    long untilProbe = health.untilProbe(now);
                    if (untilProbe <= 0 && inFlight.size() < policy.parallelism() && probe(now)) {
                        continue;
                    }
                    if (untilProbe > 0) {
                        wait = Math.min(wait, untilProbe);
                    }
                } else if (buffer.readyKeys() > 0 && inFlight.size() < policy.parallelism()) {
                    long lingered = buffer.oldestReadyWaited(now);
                    if (buffer.readyKeys() >= policy.batchSize() || lingered >= lingerNanos || stopping) {
                        send(buffer.takeBatch(policy.batchSize(), health.ageClock(now)), now, false);
                        continue;
                    }
                    wait = lingerNanos - lingered;
                }
                if (buffer.hasRetries() && !holding) {
                    wait = Math.min(wait, buffer.nextRetryAt() - now);
                }
                wait = Math.min(wait, health.untilDown(now));
                for (Batch b : inFlight) {
                    wait = Math.min(wait, b.deadline - now);
                }
                if (wait > 0) {
                    work.awaitNanos(wait);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    /** Sends the head of one key alone (the oldest first, then at random), whatever its retry time; a failed probe counts no attempt. */
    private boolean probe(long now) {
        Optional<Entry> probe = buffer.takeProbe(health.firstProbe(), random);
        if (probe.isEmpty()) {
            return false;
        }
        health.probeSent();
        send(List.of(probe.get()), now, true);
        return true;
    }

    /**
     * With outages counted: each ready change is charged the attempt the outage keeps from it, as if
     * it had been sent and failed, so that max-attempts and max-age run as though the endpoint were tried.
     */
    private void chargeOutage(long now) {
        Ack.Retry notSent = new Ack.Retry("not sent, sink " + name + " is down: " + health.lastReason(), Optional.empty());
        for (Entry entry : buffer.takeBatch(buffer.readyKeys(), health.ageClock(now))) {
            retryOrGiveUp(entry, notSent, now, false, unheard);
        }
    }

    private void send(List<Entry> entries, long now, boolean probe) {
        Batch batch = new Batch(entries, now, now + policy.ackTimeout().toNanos(), probe);
        inFlight.add(batch);
        execute(deliverers, () -> {
            try {
                if (!mayDeliver.getAsBoolean()) {
                    // The lease ended: another process may deliver these now. The runner is about to be closed.
                    return;
                }
                sink.deliver(batch.changes, batch);
            } catch (RuntimeException e) {
                log.warn("sink {} threw instead of acknowledging; retrying its batch", name, e);
                batch.ackRemaining(Ack.retry("sink threw " + e));
            }
        });
    }

    private void timeOutBatches(long now) {
        if (inFlight.stream().noneMatch(b -> b.deadline - now <= 0)) {
            return;
        }
        // Acknowledging removes finished batches from inFlight, so walk a copy.
        for (Batch b : new ArrayList<>(inFlight)) {
            if (b.deadline - now <= 0) {
                b.ackRemaining(Ack.retry("no acknowledgement within " + policy.ackTimeout()));
            }
        }
    }

    /** Applies one acknowledgement; called once per entry and delivery attempt. */
    private void settle(Batch batch, Entry entry, Ack ack, boolean lastOfBatch) {
        List<Runnable> notices = new ArrayList<>(2);
        lock.lock();
        try {
            long now = nanoClock.getAsLong();
            if (ack instanceof Ack.Delivered) {
                buffer.complete(entry, now);
                notFull.signalAll();
                delivered.incrementAndGet();
                Duration latency = Duration.ofNanos(now - entry.receivedAt);
                notices.add(() -> observer.delivered(name, entry.change, latency));
                health.delivered(now).ifPresent(outage -> recovered(outage, now, notices));
            } else if (ack instanceof Ack.Failed failed) {
                if (batch.probe) {
                    health.probeRefused(now);
                }
                deadLetter(entry, failed.reason());
            } else if (ack instanceof Ack.Retry retry) {
                long notBefore = now + RetryDecision.nanosUntil(retry.notBefore(), wallClock.instant());
                if (batch.probe) {
                    // Back out of turn if the endpoint came back while it was out: its key missed the release.
                    buffer.putBack(entry, health.state(now) != SinkState.DOWN);
                    health.probeFailed(retry.reason(), notBefore, now);
                } else if (health.cameBackSince(batch.sentAt)) {
                    // Sent while the endpoint was down: tried again with the rest of the backlog, not on the schedule.
                    retryOrGiveUp(entry, retry, now, true, notices);
                } else {
                    health.retried(entry.change.key(), retry.reason(), notBefore, now);
                    retryOrGiveUp(entry, retry, now, false, notices);
                }
            }
            if (lastOfBatch) {
                inFlight.remove(batch);
            }
            heedState(now, notices);
            if (lock.getHoldCount() > 1) {
                // Settled from within the dispatcher (an acknowledgement time-out): it runs the notices once it lets go.
                unheard.addAll(notices);
                notices.clear();
            }
            work.signal();
        } finally {
            lock.unlock();
        }
        notices.forEach(Runnable::run);
    }

    /**
     * Schedules the entry's next attempt, {@code atOnce} or by the retry policy, or gives it up as a
     * dead letter, by its attempts and its age on the age clock.
     */
    private void retryOrGiveUp(Entry entry, Ack.Retry retry, long now, boolean atOnce, List<Runnable> notices) {
        RetryDecision next = RetryDecision.after(retry, policy.retry(), entry.attempts, entry.firstAttemptAt, health.ageClock(now),
                wallClock.instant(), random);
        if (next instanceof RetryDecision.GiveUp giveUp) {
            deadLetter(entry, giveUp.reason());
        } else if (next instanceof RetryDecision.RetryIn in) {
            retried.incrementAndGet();
            buffer.retryAt(entry, atOnce ? now : now + in.nanos(), now);
            notices.add(() -> observer.retried(name, entry.change, retry.reason()));
        }
    }

    /** Tells the observer of a change of state, and the log of the sink going down; the notices run once the lock is let go. */
    private void heedState(long now, List<Runnable> notices) {
        SinkState state = health.state(now);
        if (state == SinkState.DOWN) {
            warnings.stillDown(now, down(now)).ifPresent(line -> notices.add(() -> log.warn(line)));
        }
        if (state == told) {
            return;
        }
        SinkState from = told;
        told = state;
        if (state == SinkState.DOWN) {
            warnings.wentDown(now, down(now)).ifPresent(line -> notices.add(() -> log.warn(line)));
        }
        notices.add(() -> observer.stateChanged(name, from, state));
    }

    private OutageWarnings.Down down(long now) {
        return new OutageWarnings.Down(health.failures(), health.lastReason(), buffer.size(), buffer.oldestUnsettledAge(now),
                policy.endpoint().probeMin(), policy.endpoint().probeMax());
    }

    /** The endpoint is back: the keys its failures put off go now, not at each one's own retry time. */
    private void recovered(EndpointHealth.Outage outage, long now, List<Runnable> notices) {
        int released = buffer.releaseRetriesScheduledSince(outage.runStartedAt(), now);
        warnings.cameBack(new OutageWarnings.Back(outage.downFor(), outage.failures(), buffer.size(), released))
                .ifPresent(line -> notices.add(() -> log.warn(line)));
    }

    /** Stores the change as a dead letter on the dead-letter thread, then lets its key move on. */
    private void deadLetter(Entry entry, String reason) {
        execute(deadLetterWriter, () -> {
            boolean stored;
            try {
                deadLetters.add(name, entry.change, reason, entry.attempts);
                stored = true;
            } catch (RuntimeException e) {
                log.warn("could not store a dead letter for sink {}; the change will be delivered again", name, e);
                stored = false;
            }
            lock.lock();
            try {
                long now = nanoClock.getAsLong();
                if (stored) {
                    buffer.complete(entry, now);
                    deadLettered.incrementAndGet();
                    notFull.signalAll();
                } else {
                    buffer.retryAt(entry, now + policy.retry().delay(Math.max(1, entry.attempts), random).toNanos(), now);
                }
                work.signal();
            } finally {
                lock.unlock();
            }
            if (stored) {
                observer.deadLettered(name, entry.change, reason);
            }
        });
    }

    /** Runs work on {@code threads}; once the runner is closed, work is abandoned (and redelivered next run). */
    private void execute(ExecutorService threads, Runnable task) {
        try {
            threads.execute(task);
        } catch (RejectedExecutionException e) {
            log.debug("sink {} is closed; abandoning work", name);
        }
    }

    private static long sizeOf(Change change) {
        return MIN_CHANGE_BYTES + change.bucket().length() + change.id().length()
                + (change.val() == null ? 0 : change.val().text().length())
                + (change.old() == null ? 0 : change.old().text().length());
    }

    /** One delivery attempt of a batch; acknowledges each of its changes once. */
    private final class Batch implements Acknowledger {
        final List<Change> changes;
        final List<Entry> entries;
        final HashMap<Change, Integer> index;
        final boolean[] acked;
        final long sentAt;
        final long deadline;
        /** A single change sent while the sink is down, to learn whether its endpoint is back. */
        final boolean probe;
        int remaining;

        Batch(List<Entry> entries, long sentAt, long deadline, boolean probe) {
            this.entries = entries;
            this.sentAt = sentAt;
            this.deadline = deadline;
            this.probe = probe;
            this.changes = new ArrayList<>(entries.size());
            // By value: a sink may acknowledge with an equal copy. A batch never holds two equal changes (one per key).
            this.index = new HashMap<>(entries.size() * 2);
            for (int i = 0; i < entries.size(); i++) {
                changes.add(entries.get(i).change);
                index.put(entries.get(i).change, i);
            }
            this.acked = new boolean[entries.size()];
            this.remaining = entries.size();
        }

        @Override
        public void ack(Change change, Ack ack) {
            Entry entry;
            boolean last;
            synchronized (this) {
                Integer i = index.get(change);
                if (i == null || acked[i]) {
                    return;
                }
                acked[i] = true;
                remaining--;
                last = remaining == 0;
                entry = entries.get(i);
            }
            settle(this, entry, ack, last);
        }

        void ackRemaining(Ack ack) {
            for (Change change : changes) {
                ack(change, ack);
            }
        }
    }
}
