package dev.bridge.sink.webhook;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Limits the requests open at once without blocking a thread: a task runs when a permit is free,
 * else waits in line until {@link #release()}. Tasks run on the thread that submits or releases,
 * so they must not block. Thread-safe.
 */
final class Gate {

    /** Set while a thread runs the loop in {@link #drain()}, so that a task's own release does not recurse. */
    private static final ThreadLocal<Boolean> DRAINING = ThreadLocal.withInitial(() -> false);

    private final Semaphore permits;
    private final AtomicInteger limit;
    private final Queue<Runnable> waiting = new ConcurrentLinkedQueue<>();

    Gate(int permits) {
        this.permits = new Semaphore(permits);
        this.limit = new AtomicInteger(permits);
    }

    /** Runs {@code task} now if a permit is free, else once one is; the task must call {@link #release()} when done. */
    void submit(Runnable task) {
        waiting.add(task);
        drain();
    }

    void release() {
        permits.release();
        drain();
    }

    /**
     * Instead of {@link #release()}: keeps the caller's permit for good, so that one task fewer runs at
     * once from now on, unless it is the last permit. Returns whether it did; if not, the caller must
     * release as usual.
     */
    boolean shrink() {
        return limit.getAndUpdate(n -> n > 1 ? n - 1 : n) > 1;
    }

    /** The most tasks that run at once. */
    int limit() {
        return limit.get();
    }

    /** Removes and returns the tasks still waiting. */
    List<Runnable> takeWaiting() {
        List<Runnable> taken = new ArrayList<>();
        for (Runnable task = waiting.poll(); task != null; task = waiting.poll()) {
            taken.add(task);
        }
        return taken;
    }

    int waiting() {
        return waiting.size();
    }

    private void drain() {
        if (DRAINING.get()) {
            return;
        }
        DRAINING.set(true);
        try {
            while (!waiting.isEmpty() && permits.tryAcquire()) {
                Runnable task = waiting.poll();
                if (task == null) {
                    permits.release();
                    return;
                }
                task.run();
            }
        } finally {
            DRAINING.set(false);
        }
    }
}
