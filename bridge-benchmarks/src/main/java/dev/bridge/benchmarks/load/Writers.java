package dev.bridge.benchmarks.load;

import dev.bridge.core.Append;
import dev.bridge.core.Json;
import dev.bridge.core.Key;
import dev.bridge.core.port.EventStore;
import java.util.ArrayList;
import java.util.List;
import java.util.PrimitiveIterator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * The writer threads of one configuration. Each appends its share of the {@link Workload} through
 * the event store (whose data source gives each thread its own connection): first its warm-up
 * changes as fast as it can, then, once {@link #measure()} is called, its measured changes in the
 * given {@link Arrival}. The ledger gets each change's send time just before its statement goes out.
 * The first failure stops every writer.
 */
final class Writers {

    static final Json EVENT = Json.parse("{\"type\":\"set\"}");

    /** The failure {@link #abort()} stands in, so that {@link #stop()} can tell it from a real one. */
    private static final IllegalStateException STOPPED = new IllegalStateException("stopped");

    private final EventStore store;
    private final Workload workload;
    private final Values values;
    private final Ledger ledger;
    private final Arrival arrival;
    private final CountDownLatch warmedUp;
    private final CountDownLatch go = new CountDownLatch(1);
    private final AtomicLong lastCommit = new AtomicLong();
    private final AtomicLong maxLagNanos = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final List<Thread> threads = new ArrayList<>();
    private final List<Histogram> appendTimes = new ArrayList<>();
    private volatile long start;

    Writers(EventStore store, Workload workload, Values values, Ledger ledger, Arrival arrival) {
        this.store = store;
        this.workload = workload;
        this.values = values;
        this.ledger = ledger;
        this.arrival = arrival;
        this.warmedUp = new CountDownLatch(workload.writers());
    }

    /** Starts the threads on their warm-up changes. */
    void startWarmup() {
        for (int w = 0; w < workload.writers(); w++) {
            int writer = w;
            Histogram times = new Histogram(Ledger.MAX_MICROS, 3);
            appendTimes.add(times);
            Thread t = new Thread(() -> run(writer, times), "writer-" + w);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /** Waits until every writer has sent its warm-up changes (or one failed). */
    void awaitWarmedUp() throws InterruptedException {
        warmedUp.await();
        rethrow();
    }

    /** Lets the writers go on to the measured changes; returns when that was (nanoTime). */
    long measure() {
        start = System.nanoTime();
        go.countDown();
        return start;
    }

    /**
     * Waits for every writer to finish.
     *
     * @return when the last measured change was committed (nanoTime)
     * @throws IllegalStateException if a writer failed
     */
    long awaitDone() throws InterruptedException {
        for (Thread t : threads) {
            t.join();
        }
        rethrow();
        return lastCommit.get();
    }

    /** Stops the writers after their current change, whatever phase they are in. */
    void abort() {
        failure.compareAndSet(null, STOPPED);
        go.countDown();
    }

    /**
     * Stops the writers after their current change, as {@link #abort()}, and waits until they have.
     * A change whose send the ledger noted was committed, unless its statement failed after the stop was asked for.
     *
     * @throws IllegalStateException if a writer had failed before
     */
    void stop() throws InterruptedException {
        abort();
        for (Thread t : threads) {
            t.join();
        }
        if (failure.get() != STOPPED) {
            rethrow();
        }
    }

    /** How long each measured append took, from just before it was sent until it returned, in microseconds; after {@link #awaitDone()}. */
    Histogram appendTimes() {
        Histogram all = new Histogram(Ledger.MAX_MICROS, 3);
        appendTimes.forEach(all::add);
        return all;
    }

    /** In a rate mode, how far behind its schedule a writer fell at worst; 0 in a closed loop. */
    long maxLagNanos() {
        return maxLagNanos.get();
    }

    private void run(int w, Histogram times) {
        int warm = workload.warmupOf(w);
        try {
            for (int j = 0; j < warm && failure.get() == null; j++) {
                append(w, j);
            }
        } catch (RuntimeException | Error e) {
            failure.compareAndSet(null, e);
        } finally {
            warmedUp.countDown();
        }
        try {
            go.await();
            PrimitiveIterator.OfLong schedule = arrival.closed() ? null : arrival.schedule(w, workload.writers(), 42);
            for (int j = warm; j < workload.changesOf(w) && failure.get() == null; j++) {
                if (schedule != null) {
                    long due = start + schedule.nextLong();
                    long now;
                    while ((now = System.nanoTime()) < due) {
                        LockSupport.parkNanos(due - now);
                    }
                    long lag = now - due;
                    maxLagNanos.accumulateAndGet(lag, Math::max);
                }
                long sent = append(w, j);
                times.recordValue(Math.min(Ledger.MAX_MICROS, (System.nanoTime() - sent) / 1_000));
            }
            lastCommit.accumulateAndGet(System.nanoTime(), Math::max);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            failure.compareAndSet(null, e);
        }
    }

    /** Returns when it was sent (nanoTime). */
    private long append(int w, int j) {
        long version = workload.version(w, j);
        Append append = new Append(new Key(Subscriber.BUCKET, Integer.toString(workload.id(w, j))), version - 1, 1, EVENT,
                values.at(version));
        long sent = System.nanoTime();
        ledger.sent(workload.slot(w, j), sent);
        store.append(append);
        return sent;
    }

    private void rethrow() {
        Throwable f = failure.get();
        if (f != null) {
            throw new IllegalStateException("a writer failed: " + f.getMessage(), f);
        }
    }
}
