package dev.bridge.core.engine;

import dev.bridge.core.Change;
import dev.bridge.core.Key;
import dev.bridge.core.port.Ack;
import dev.bridge.core.port.Acknowledger;
import dev.bridge.core.port.ChangeSink;
import dev.bridge.core.port.DeadLetterStore;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds one sink: a bounded buffer, one change in flight per key (so order per key holds through
 * retries), batches of distinct keys, retries with backoff, and dead letters. A dispatcher thread
 * forms batches; {@code parallelism} threads deliver them.
 */
final class SinkRunner {

    private static final Logger log = LoggerFactory.getLogger(SinkRunner.class);

    private final String name;
    private final ChangeSink sink;
    private final SinkFilter filter;
    private final DeliveryPolicy policy;
    private final DeadLetterStore deadLetters;
    private final DeliveryObserver observer;
    private final Random random = new Random();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notFull = lock.newCondition();
    private final Condition work = lock.newCondition();
    private final Map<Key, KeyQueue> keys = new HashMap<>();
    private final ArrayDeque<KeyQueue> ready = new ArrayDeque<>();
    private final PriorityQueue<KeyQueue> waiting = new PriorityQueue<>(Comparator.comparingLong((KeyQueue k) -> k.readyAt));
    private final TreeSet<Long> unsettled = new TreeSet<>();
    private final List<Batch> inFlight = new ArrayList<>();
    private final ExecutorService deliverers;
    private final Thread dispatcher;
    private long bufferedBytes;
    private boolean stopping;
    private boolean closed;

    private final AtomicLong received = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();

    SinkRunner(SinkBinding binding, DeadLetterStore deadLetters, DeliveryObserver observer) {
        this.sink = binding.sink();
        this.name = sink.name();
        this.filter = binding.filter();
        this.policy = binding.policy();
        this.deadLetters = deadLetters;
        this.observer = observer;
        AtomicInteger threads = new AtomicInteger();
        this.deliverers = Executors.newFixedThreadPool(policy.parallelism(), r -> {
            Thread t = new Thread(r, "bridge-sink-" + name + "-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.dispatcher = new Thread(this::dispatch, "bridge-dispatch-" + name);
        this.dispatcher.setDaemon(true);
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
            while (!stopping && !unsettled.isEmpty()
                    && (unsettled.size() >= policy.bufferChanges() || bufferedBytes + bytes > policy.bufferBytes())) {
                notFull.await();
            }
            if (stopping) {
                return;
            }
            KeyQueue queue = keys.computeIfAbsent(change.key(), KeyQueue::new);
            queue.entries.addLast(new Entry(position, change, bytes, System.nanoTime()));
            if (queue.entries.size() == 1 && !queue.busy) {
                makeReady(queue, System.nanoTime());
            }
            bufferedBytes += bytes;
            unsettled.add(position);
            received.incrementAndGet();
            work.signal();
        } finally {
            lock.unlock();
        }
    }

    /** The smallest position not yet settled, or {@link Long#MAX_VALUE} if all are. */
    long lowestUnsettled() {
        lock.lock();
        try {
            return unsettled.isEmpty() ? Long.MAX_VALUE : unsettled.first();
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

    /** Waits until every buffered change is settled or the deadline passes; returns whether all are. */
    boolean awaitDrained(long deadlineNanos) throws InterruptedException {
        lock.lock();
        try {
            while (!unsettled.isEmpty()) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                notFull.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Stops dispatching, stops the sink, and abandons whatever is still unsettled. */
    void close() {
        lock.lock();
        try {
            closed = true;
            work.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            dispatcher.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            sink.stop();
        } catch (RuntimeException e) {
            log.warn("sink {} failed to stop cleanly", name, e);
        }
        deliverers.shutdownNow();
    }

    SinkStats stats() {
        lock.lock();
        try {
            return new SinkStats(name, received.get(), delivered.get(), retried.get(), deadLettered.get(),
                    unsettled.size(), bufferedBytes, policy.bufferChanges());
        } finally {
            lock.unlock();
        }
    }

    private void dispatch() {
        long lingerNanos = policy.linger().toNanos();
        lock.lock();
        try {
            while (!closed) {
                long now = System.nanoTime();
                while (!waiting.isEmpty() && waiting.peek().readyAt - now <= 0) {
                    makeReady(waiting.poll(), now);
                }
                timeOutBatches(now);
                long wait = TimeUnit.SECONDS.toNanos(1);
                if (!ready.isEmpty() && inFlight.size() < policy.parallelism()) {
                    long lingered = now - ready.peekFirst().readySince;
                    if (ready.size() >= policy.batchSize() || lingered >= lingerNanos || stopping) {
                        send(takeBatch(now), now);
                        continue;
                    }
                    wait = lingerNanos - lingered;
                }
                if (!waiting.isEmpty()) {
                    wait = Math.min(wait, waiting.peek().readyAt - now);
                }
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

    private List<Entry> takeBatch(long now) {
        List<Entry> batch = new ArrayList<>(Math.min(policy.batchSize(), ready.size()));
        while (batch.size() < policy.batchSize() && !ready.isEmpty()) {
            KeyQueue queue = ready.pollFirst();
            queue.busy = true;
            Entry entry = queue.entries.peekFirst();
            if (entry.attempts++ == 0) {
                entry.firstAttemptAt = now;
            }
            batch.add(entry);
        }
        return batch;
    }

    private void send(List<Entry> entries, long now) {
        Batch batch = new Batch(entries, now + policy.ackTimeout().toNanos());
        inFlight.add(batch);
        execute(() -> {
            try {
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
        lock.lock();
        try {
            long now = System.nanoTime();
            if (ack instanceof Ack.Delivered) {
                complete(entry);
                delivered.incrementAndGet();
                observer.delivered(name, entry.change, Duration.ofNanos(now - entry.receivedAt));
            } else if (ack instanceof Ack.Failed failed) {
                deadLetter(entry, failed.reason());
            } else if (ack instanceof Ack.Retry retry) {
                boolean tooOld = now - entry.firstAttemptAt >= policy.retry().maxAge().toNanos();
                if (entry.attempts >= policy.retry().maxAttempts() || tooOld) {
                    deadLetter(entry, "gave up after " + entry.attempts + " attempt(s)"
                            + (tooOld ? " and " + policy.retry().maxAge() : "") + ": " + retry.reason());
                } else {
                    retried.incrementAndGet();
                    observer.retried(name, entry.change, retry.reason());
                    long delay = policy.retry().delay(entry.attempts, random).toNanos();
                    if (retry.notBefore().isPresent()) {
                        long asked = Duration.between(java.time.Instant.now(), retry.notBefore().get()).toNanos();
                        delay = Math.max(delay, asked);
                    }
                    KeyQueue queue = keys.get(entry.change.key());
                    queue.readyAt = now + delay;
                    waiting.add(queue);
                }
            }
            if (lastOfBatch) {
                inFlight.remove(batch);
            }
            work.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Stores the change as a dead letter off the lock, then lets its key move on. */
    private void deadLetter(Entry entry, String reason) {
        execute(() -> {
            try {
                deadLetters.add(name, entry.change, reason, entry.attempts);
            } catch (RuntimeException e) {
                log.warn("could not store a dead letter for sink {}; the change will be delivered again", name, e);
                lock.lock();
                try {
                    KeyQueue queue = keys.get(entry.change.key());
                    queue.readyAt = System.nanoTime() + policy.retry().delay(entry.attempts, random).toNanos();
                    waiting.add(queue);
                    work.signal();
                } finally {
                    lock.unlock();
                }
                return;
            }
            lock.lock();
            try {
                complete(entry);
                deadLettered.incrementAndGet();
                work.signal();
            } finally {
                lock.unlock();
            }
            observer.deadLettered(name, entry.change, reason);
        });
    }

    /** Runs work on the delivery threads; once the runner is closed, work is abandoned (and redelivered next run). */
    private void execute(Runnable work) {
        try {
            deliverers.execute(work);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("sink {} is closed; abandoning work", name);
        }
    }

    private void complete(Entry entry) {
        KeyQueue queue = keys.get(entry.change.key());
        queue.entries.removeFirst();
        queue.busy = false;
        if (queue.entries.isEmpty()) {
            keys.remove(queue.key);
        } else {
            makeReady(queue, System.nanoTime());
        }
        bufferedBytes -= entry.bytes;
        unsettled.remove(entry.position);
        notFull.signalAll();
    }

    private void makeReady(KeyQueue queue, long now) {
        queue.readySince = now;
        ready.addLast(queue);
    }

    private static long sizeOf(Change change) {
        return 128L + change.bucket().length() + change.id().length()
                + (change.val() == null ? 0 : change.val().text().length())
                + (change.old() == null ? 0 : change.old().text().length());
    }

    /** The changes of one key waiting for this sink, oldest first; the head is the one in delivery. */
    private static final class KeyQueue {
        final Key key;
        final ArrayDeque<Entry> entries = new ArrayDeque<>(2);
        boolean busy;
        long readySince;
        long readyAt;

        KeyQueue(Key key) {
            this.key = key;
        }
    }

    private static final class Entry {
        final long position;
        final Change change;
        final long bytes;
        final long receivedAt;
        int attempts;
        long firstAttemptAt;

        Entry(long position, Change change, long bytes, long receivedAt) {
            this.position = position;
            this.change = change;
            this.bytes = bytes;
            this.receivedAt = receivedAt;
        }
    }

    /** One delivery attempt of a batch; acknowledges each of its changes once. */
    private final class Batch implements Acknowledger {
        final List<Change> changes;
        final List<Entry> entries;
        final HashMap<Change, Integer> index;
        final boolean[] acked;
        final long deadline;
        int remaining;

        Batch(List<Entry> entries, long deadline) {
            this.entries = entries;
            this.deadline = deadline;
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
