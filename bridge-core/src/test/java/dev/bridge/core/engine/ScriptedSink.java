package dev.bridge.core.engine;

import dev.bridge.core.Change;
import dev.bridge.core.port.Ack;
import dev.bridge.core.port.Acknowledger;
import dev.bridge.core.port.ChangeSink;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A sink whose answer to each delivery attempt is scripted; acknowledges from its own threads and
 * records what it delivered, in order.
 */
final class ScriptedSink implements ChangeSink {

    private final String name;
    private final ExecutorService ackers = Executors.newFixedThreadPool(4);
    final List<Change> delivered = new CopyOnWriteArrayList<>();
    final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    final Map<Long, AtomicInteger> attempts = new ConcurrentHashMap<>();
    final AtomicInteger inDeliver = new AtomicInteger();
    final AtomicInteger maxConcurrentBatches = new AtomicInteger();
    volatile Function<Change, Ack> script = change -> Ack.delivered();
    volatile CountDownLatch gate = new CountDownLatch(0);
    volatile boolean stopped;

    ScriptedSink(String name) {
        this.name = name;
    }

    /** Holds every delivery until {@link #release()}. */
    ScriptedSink stall() {
        gate = new CountDownLatch(1);
        return this;
    }

    void release() {
        gate.countDown();
    }

    int attemptsOf(Change change) {
        AtomicInteger n = attempts.get(change.seq());
        return n == null ? 0 : n.get();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void deliver(List<Change> batch, Acknowledger acks) {
        int concurrent = inDeliver.incrementAndGet();
        maxConcurrentBatches.accumulateAndGet(concurrent, Math::max);
        batchSizes.add(batch.size());
        List<Change> copy = List.copyOf(batch);
        ackers.execute(() -> {
            List<Ack> answers = new java.util.ArrayList<>(copy.size());
            try {
                gate.await();
                for (Change change : copy) {
                    attempts.computeIfAbsent(change.seq(), k -> new AtomicInteger()).incrementAndGet();
                    Ack ack = script.apply(change);
                    if (ack instanceof Ack.Delivered) {
                        delivered.add(change);
                    }
                    answers.add(ack);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                // The engine may start the next batch as soon as the last answer lands.
                inDeliver.decrementAndGet();
            }
            for (int i = 0; i < copy.size(); i++) {
                if (answers.get(i) != null) {
                    acks.ack(copy.get(i), answers.get(i));
                }
            }
        });
    }

    @Override
    public void stop() {
        stopped = true;
        ackers.shutdownNow();
    }
}
