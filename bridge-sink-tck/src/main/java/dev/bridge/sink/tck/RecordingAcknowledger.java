package dev.bridge.sink.tck;

import dev.bridge.core.Change;
import dev.bridge.core.port.Ack;
import dev.bridge.core.port.Acknowledger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The {@link Acknowledger} of one {@code deliver} call, for sink tests: records each
 * acknowledgement with its thread, waits for them, and notes every breach of the acknowledgement
 * contract. Thread-safe.
 *
 * <p>It knows a change by identity, stricter than the engine (which also takes an equal copy): a
 * sink has no reason to copy a change, so it must acknowledge the very instance it was given. Breaches (a second acknowledgement of a change, a change that was not in the batch, a
 * null argument) cannot fail the test from the sink's thread, so they are collected; call
 * {@link #assertNoViolations()}, which {@link ChangeSinkContract} does after each test.
 */
public final class RecordingAcknowledger implements Acknowledger {

    /** One acknowledgement and the thread that made it. */
    public record Acked(Change change, Ack ack, String thread) {
    }

    private final List<Change> batch;
    private final Set<Change> given = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Map<Change, Ack> byChange = new IdentityHashMap<>();
    private final List<Acked> acked = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();

    /** @param batch the changes passed to {@code deliver} with this acknowledger */
    public RecordingAcknowledger(List<Change> batch) {
        this.batch = List.copyOf(batch);
        given.addAll(this.batch);
    }

    @Override
    public synchronized void ack(Change change, Ack ack) {
        String thread = Thread.currentThread().getName();
        if (change == null || ack == null) {
            violations.add("ack(" + describe(change) + ", " + ack + ") with a null argument, on thread " + thread);
            return;
        }
        acked.add(new Acked(change, ack, thread));
        if (!given.contains(change)) {
            violations.add(batch.contains(change)
                    ? "acknowledged a copy of " + describe(change) + " instead of the instance it was given (the kit asks for the instance)"
                    : "acknowledged " + describe(change) + ", which was not in the batch");
            return;
        }
        Ack first = byChange.putIfAbsent(change, ack);
        if (first != null) {
            violations.add("acknowledged " + describe(change) + " twice: " + first + ", then " + ack + " on thread " + thread);
        }
        notifyAll();
    }

    /**
     * Waits until {@code count} changes of the batch are acknowledged.
     *
     * @throws AssertionError on timeout, saying what did arrive, or at once if a breach is recorded
     */
    public synchronized void awaitAcks(int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (byChange.size() < count) {
                assertNoViolations();
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("expected " + count + " acknowledgement(s) within " + timeout + ", got "
                            + byChange.size() + ": " + acked);
                }
                wait(Math.max(1, left / 1_000_000));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for acknowledgements", e);
        }
        assertNoViolations();
    }

    /** Every acknowledgement of the whole batch within {@code timeout}, in batch order. */
    public List<Ack> awaitAll(Duration timeout) {
        awaitAcks(batch.size(), timeout);
        synchronized (this) {
            return batch.stream().map(byChange::get).collect(Collectors.toList());
        }
    }

    /** The changes of the batch acknowledged so far. */
    public synchronized int count() {
        return byChange.size();
    }

    /** Every call made so far, in order, including those that were breaches. */
    public synchronized List<Acked> acknowledged() {
        return List.copyOf(acked);
    }

    /** The changes acknowledged so far as {@code type} (e.g. {@code Ack.Delivered.class}), in batch order. */
    public synchronized List<Change> acknowledgedAs(Class<? extends Ack> type) {
        return batch.stream().filter(c -> type.isInstance(byChange.get(c))).collect(Collectors.toList());
    }

    /** @throws AssertionError listing the breaches, if any */
    public synchronized void assertNoViolations() {
        if (!violations.isEmpty()) {
            throw new AssertionError("the sink broke the acknowledgement contract:\n  " + String.join("\n  ", violations));
        }
    }

    static String describe(Change change) {
        return change == null ? "null" : change.op() + " " + change.bucket() + "/" + change.id() + " v" + change.version()
                + " seq " + change.seq();
    }

    @Override
    public synchronized String toString() {
        return "RecordingAcknowledger[" + byChange.size() + " of " + batch.size() + " acknowledged]";
    }
}
