package dev.bridge.sink.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bridge.core.Change;
import dev.bridge.core.Json;
import dev.bridge.core.Key;
import dev.bridge.core.Op;
import dev.bridge.core.port.Ack;
import dev.bridge.core.port.ChangeSink;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every {@link ChangeSink} must have, as a JUnit 5 suite that each sink's tests
 * extend: acknowledgement semantics, order per key across batches (a batch holds distinct keys, as
 * the engine promises), batch boundaries, failure classification and stopping during delivery.
 * Shipped as {@code dev.bridge:bridge-sink-tck}.
 *
 * <p>Implement {@link #newSink} and {@link #received}; implement the failure hooks if the
 * destination can be broken on purpose, otherwise their tests are skipped. Each test needs a clean
 * destination: empty or recreate it in a {@code @BeforeEach}. The kit starts the sinks it uses and
 * stops those still running after the subclass's {@code @AfterEach} methods have run, then fails
 * the test if any sink broke the acknowledgement contract (see {@link RecordingAcknowledger}): each
 * change acknowledged once, with the very instance it was given (the port also accepts an equal
 * copy, but the kit asks for the instance: a sink has no reason to copy a change).
 *
 * <p>Every change the kit delivers is in bucket {@link #BUCKET}, has a {@code seq} unique within
 * the test (by which it is matched at the destination), a timestamp with microseconds and, except
 * for deletes, a JSON object as {@code val}. Changes are compared with {@link #assertSameChange}.
 */
@Timeout(120)
public abstract class ChangeSinkContract {

    /** The bucket of every change the kit delivers. */
    protected static final String BUCKET = "contract";

    private static final Instant BASE_TS = Instant.parse("2026-11-24T10:15:30.123456Z");
    private static final Duration QUIET = Duration.ofMillis(300);

    private final AtomicLong seq = new AtomicLong(1000);
    private final List<ChangeSink> running = new ArrayList<>();
    private final List<RecordingAcknowledger> recorders = new ArrayList<>();

    /** A new, unstarted sink with this name, pointing at the test's destination. */
    protected abstract ChangeSink newSink(String name);

    /**
     * What the destination has received so far, in arrival order, decoded back into changes. Called
     * from the test thread, repeatedly while the kit waits for changes to arrive.
     */
    protected abstract List<Change> received();

    /**
     * Makes the destination fail in a way that retrying later can fix (stop the server, make the
     * stream throw), so that the next deliveries are acknowledged as {@link Ack#retry}.
     *
     * @return false (the default) if the destination cannot be broken; the test is then skipped
     */
    protected boolean breakDestinationTransiently() {
        return false;
    }

    /**
     * Makes the destination refuse changes for good (a key of the wrong type, an HTTP 400), so that
     * the next deliveries are acknowledged as {@link Ack#failed}.
     *
     * @return false (the default) if unsupported; the test is then skipped
     */
    protected boolean breakDestinationPermanently() {
        return false;
    }

    /**
     * Undoes either break. Called at the end of each test that broke the destination, and during
     * the transient test before redelivering; must be harmless when the destination is fine.
     */
    protected void restoreDestination() {
    }

    /** How long to wait for acknowledgements and arrivals; raise it for slow destinations. */
    protected Duration timeout() {
        return Duration.ofSeconds(10);
    }

    /**
     * Asserts that {@code actual}, read back from the destination, is {@code expected}. By default
     * the changes must be equal; override to compare less for a destination that keeps less (at
     * least op, bucket, id, version, seq and val).
     */
    protected void assertSameChange(Change expected, Change actual) {
        assertThat(actual).as("change seq %d at the destination", expected.seq()).isEqualTo(expected);
    }

    @AfterEach
    final void contractStopsSinksAndChecksAcknowledgements() {
        List<Throwable> problems = new ArrayList<>();
        for (ChangeSink sink : running) {
            try {
                sink.stop();
            } catch (RuntimeException e) {
                problems.add(new AssertionError("stop() of sink '" + sink.name() + "' threw " + e, e));
            }
        }
        running.clear();
        for (RecordingAcknowledger acks : recorders) {
            try {
                acks.assertNoViolations();
            } catch (AssertionError e) {
                problems.add(e);
            }
        }
        recorders.clear();
        if (!problems.isEmpty()) {
            AssertionError error = new AssertionError(problems.stream().map(Throwable::getMessage).collect(Collectors.joining("\n")));
            problems.forEach(error::addSuppressed);
            throw error;
        }
    }

    @Test
    void nameIsTheNameItWasGiven() {
        assertThat(newSink("contract-name-7").name()).isEqualTo("contract-name-7");
        assertThat(newSink("other").name()).isEqualTo("other");
    }

    @Test
    void startsAndStopsWithoutDeliveries() {
        ChangeSink sink = started("contract");

        stop(sink);

        assertThat(received()).isEmpty();
    }

    @Test
    void acknowledgesEachChangeOnceAsDeliveredAndTheDestinationHasIt() {
        ChangeSink sink = started("contract");
        List<Change> batch = List.of(
                change("1", 1),
                change("3", 2),
                change("a:b/ç 1", 1),
                deletion("4", 3),
                new Change(Op.INSERT, BUCKET, "2", 1, ts(), Json.parse("[1, \"two\", {\"three\": 3.0}]"), null, seq.incrementAndGet()),
                new Change(Op.UPDATE, BUCKET, "5", 2, ts(), Json.parse("\"plain text\""), Json.parse("42"), seq.incrementAndGet()));

        RecordingAcknowledger acks = deliver(sink, batch);

        assertAllDelivered(acks);
        assertReceivedExactly(batch);
    }

    @Test
    void batchOfOne() {
        ChangeSink sink = started("contract");
        List<Change> batch = List.of(change("1", 1));

        assertAllDelivered(deliver(sink, batch));

        assertReceivedExactly(batch);
    }

    /** As the engine does: a key's next change comes in a later batch, once the one before is acknowledged. */
    @Test
    void keepsTheOrderOfEachKeyAcrossConsecutiveBatches() {
        ChangeSink sink = started("contract");
        List<Change> all = new ArrayList<>();
        for (int v = 1; v <= 15; v++) {
            List<Change> batch = List.of(change("a", v), change("b", v));
            assertAllDelivered(deliver(sink, batch));
            all.addAll(batch);
        }

        assertReceivedExactly(all);
    }

    @Test
    void batchOf500() {
        ChangeSink sink = started("contract");
        List<Change> batch = new ArrayList<>();
        for (int k = 0; k < 500; k++) {
            batch.add(change("k" + k, 1 + k % 5));
        }

        assertAllDelivered(deliver(sink, batch));

        assertReceivedExactly(batch);
    }

    @Test
    void emptyBatchReturnsAndAcknowledgesNothing() throws InterruptedException {
        ChangeSink sink = started("contract");
        RecordingAcknowledger none = record(List.of());

        assertTimeoutPreemptively(timeout(), () -> sink.deliver(List.of(), none), "deliver of an empty batch must return");
        Thread.sleep(QUIET.toMillis());

        assertThat(none.acknowledged()).isEmpty();
        assertThat(received()).isEmpty();
        List<Change> next = List.of(change("1", 1));
        assertAllDelivered(deliver(sink, next));
        assertReceivedExactly(next);
    }

    @Test
    void largeValueArrivesWhole() {
        ChangeSink sink = started("contract");
        String big = "0123456789abcdéf".repeat(16 * 1024);
        Change change = new Change(Op.INSERT, BUCKET, "big", 1, ts(), Json.of(Map.of("blob", big)), null, seq.incrementAndGet());
        assertThat(change.val().text().length()).isGreaterThan(256 * 1024);

        assertAllDelivered(deliver(sink, List.of(change)));

        assertReceivedExactly(List.of(change));
    }

    /** The engine delivers batches of different keys concurrently; acknowledgements may come from any thread. */
    @Test
    void batchesOfDifferentKeysDeliveredConcurrentlyAllArriveInOrder() throws Exception {
        ChangeSink sink = started("contract");
        int threads = 4;
        List<List<Change>> perThread = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<Change> changes = new ArrayList<>();
            for (int v = 1; v <= 25; v++) {
                changes.add(change("t" + t + "a", v));
                changes.add(change("t" + t + "b", v));
            }
            perThread.add(changes);
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (List<Change> changes : perThread) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < changes.size(); i += 2) {
                        assertAllDelivered(deliver(sink, changes.subList(i, i + 2)));
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(timeout().toMillis() * 5, TimeUnit.MILLISECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertReceivedExactly(perThread.stream().flatMap(List::stream).collect(Collectors.toList()));
    }

    /**
     * A stop while a large batch is being delivered: the stop comes after the first change was
     * acknowledged as delivered, and then every change of the batch must still get its one
     * acknowledgement (delivered, or retry for those the stop cut off; never failed), and each
     * acknowledged as delivered is at the destination.
     */
    @Test
    void stopDuringDeliveryLosesNothingItAcknowledgedAsDelivered() throws InterruptedException {
        ChangeSink sink = started("contract");
        String padding = "p".repeat(1024);
        List<Change> batch = new ArrayList<>();
        for (int k = 0; k < 2000; k++) {
            batch.add(new Change(Op.INSERT, BUCKET, "k" + k, 1, ts(), Json.of(Map.of("key", k, "padding", padding)), null,
                    seq.incrementAndGet()));
        }
        RecordingAcknowledger acks = record(batch);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread deliverer = new Thread(() -> {
            try {
                sink.deliver(batch, acks);
            } catch (Throwable e) {
                thrown.set(e);
            }
        }, "contract-deliverer");

        deliverer.start();
        long deadline = System.nanoTime() + timeout().toNanos();
        while (acks.acknowledgedAs(Ack.Delivered.class).isEmpty()) {
            assertThat(System.nanoTime()).as("a first change delivered within %s", timeout()).isLessThan(deadline);
            Thread.sleep(1);
        }
        stop(sink);
        deliverer.join(timeout().toMillis());

        assertThat(deliverer.isAlive()).as("deliver() still running %s after stop()", timeout()).isFalse();
        assertThat(thrown.get()).as("deliver() threw").isNull();
        List<Ack> outcomes = acks.awaitAll(timeout());
        assertThat(outcomes).as("every change acknowledged after stop(), none failed for good")
                .allMatch(ack -> ack instanceof Ack.Delivered || ack instanceof Ack.Retry);
        List<Change> delivered = acks.acknowledgedAs(Ack.Delivered.class);
        assertThat(delivered).isNotEmpty();
        assertReceivedAtLeastOnce(delivered);
    }

    @Test
    void transientFailureIsAcknowledgedAsRetryAndRedeliverySucceeds() throws InterruptedException {
        ChangeSink sink = started("contract");
        List<Change> batch = List.of(change("a", 1), change("b", 1), change("c", 1));
        try {
            assumeTrue(breakDestinationTransiently(), "the destination cannot be broken transiently");

            List<Ack> outcomes = deliver(sink, batch).awaitAll(timeout());

            assertThat(outcomes).as("acknowledgements while the destination is down").allSatisfy(ack -> {
                assertThat(ack).isInstanceOf(Ack.Retry.class);
                assertThat(((Ack.Retry) ack).reason()).isNotBlank();
            });
            restoreDestination();
            redeliverUntilDelivered(sink, batch);
            assertReceivedAtLeastOnce(batch);
        } finally {
            restoreDestination();
        }
    }

    @Test
    void permanentFailureIsAcknowledgedAsFailedWithAReason() {
        ChangeSink sink = started("contract");
        List<Change> batch = List.of(change("a", 1), change("b", 1));
        try {
            assumeTrue(breakDestinationPermanently(), "the destination cannot be broken permanently");

            List<Ack> outcomes = deliver(sink, batch).awaitAll(timeout());

            assertThat(outcomes).as("acknowledgements while the destination refuses changes").allSatisfy(ack -> {
                assertThat(ack).isInstanceOf(Ack.Failed.class);
                assertThat(((Ack.Failed) ack).reason()).isNotBlank();
            });
        } finally {
            restoreDestination();
        }
    }

    /** A new change in {@link #BUCKET}: an insert at version 1, an update with {@code old} after. */
    protected final Change change(String id, long version) {
        Json old = version > 1 ? json("id", id, "version", version - 1) : null;
        return new Change(version == 1 ? Op.INSERT : Op.UPDATE, BUCKET, id, version, ts(),
                json("id", id, "version", version, "note", "é ✓ \"quoted\" \\ \n"), old, seq.incrementAndGet());
    }

    /** A new delete in {@link #BUCKET}: no {@code val}, the last state as {@code old}. */
    protected final Change deletion(String id, long version) {
        return new Change(Op.DELETE, BUCKET, id, version, ts(), null, json("id", id, "version", version - 1), seq.incrementAndGet());
    }

    /** Starts a new sink that the kit stops after the test. */
    protected final ChangeSink started(String name) {
        ChangeSink sink = newSink(name);
        synchronized (running) {
            running.add(sink);
        }
        sink.start();
        return sink;
    }

    /** Delivers a batch with a new recorder that the kit checks after the test. */
    protected final RecordingAcknowledger deliver(ChangeSink sink, List<Change> batch) {
        RecordingAcknowledger acks = record(batch);
        sink.deliver(batch, acks);
        return acks;
    }

    private RecordingAcknowledger record(List<Change> batch) {
        RecordingAcknowledger acks = new RecordingAcknowledger(batch);
        synchronized (recorders) {
            recorders.add(acks);
        }
        return acks;
    }

    private void stop(ChangeSink sink) {
        synchronized (running) {
            running.remove(sink);
        }
        assertTimeoutPreemptively(timeout(), sink::stop, "stop() must return");
    }

    private void assertAllDelivered(RecordingAcknowledger acks) {
        assertThat(acks.awaitAll(timeout())).as("acknowledgements").allMatch(ack -> ack instanceof Ack.Delivered);
    }

    /** Like the engine: redelivers what was acknowledged as retry until all is delivered or time is up. */
    private void redeliverUntilDelivered(ChangeSink sink, List<Change> batch) throws InterruptedException {
        long deadline = System.nanoTime() + timeout().toNanos();
        List<Change> pending = batch;
        while (true) {
            RecordingAcknowledger acks = deliver(sink, pending);
            acks.awaitAll(timeout());
            assertThat(acks.acknowledgedAs(Ack.Failed.class)).as("failed for good after the destination was restored").isEmpty();
            pending = acks.acknowledgedAs(Ack.Retry.class);
            if (pending.isEmpty()) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                fail("still acknowledged as retry %s after the destination was restored: %s", timeout(), acks.acknowledged());
            }
            Thread.sleep(100);
        }
    }

    /** The destination has exactly these changes: no more, no fewer, each key's in order. */
    private void assertReceivedExactly(List<Change> expected) {
        Set<Long> wanted = seqs(expected);
        List<Change> got = awaitReceived(r -> r.size() >= expected.size() && seqs(r).containsAll(wanted));

        assertThat(got.stream().map(Change::seq).sorted().collect(Collectors.toList()))
                .as("seqs of the changes at the destination")
                .containsExactlyElementsOf(expected.stream().map(Change::seq).sorted().collect(Collectors.toList()));
        assertSameChangesInOrderPerKey(expected, got);
    }

    /** The destination has each of these changes, perhaps more than once, and in order per key by last arrival. */
    private void assertReceivedAtLeastOnce(List<Change> expected) {
        Set<Long> wanted = seqs(expected);
        List<Change> got = awaitReceived(r -> seqs(r).containsAll(wanted));

        Map<Long, Change> lastBySeq = new LinkedHashMap<>();
        for (Change change : got) {
            if (wanted.contains(change.seq())) {
                lastBySeq.remove(change.seq());
                lastBySeq.put(change.seq(), change);
            }
        }
        assertThat(lastBySeq.keySet()).as("seqs of the changes at the destination").containsAll(wanted);
        assertSameChangesInOrderPerKey(expected, new ArrayList<>(lastBySeq.values()));
    }

    private void assertSameChangesInOrderPerKey(List<Change> expected, List<Change> got) {
        Map<Key, List<Change>> wantedByKey = byKey(expected);
        Map<Key, List<Change>> gotByKey = byKey(got);
        assertThat(gotByKey.keySet()).as("keys at the destination").containsExactlyInAnyOrderElementsOf(wantedByKey.keySet());
        wantedByKey.forEach((key, wanted) -> {
            List<Change> arrived = gotByKey.get(key);
            assertThat(arrived.stream().map(Change::seq).collect(Collectors.toList()))
                    .as("seqs of %s/%s in arrival order", key.bucket(), key.id())
                    .containsExactlyElementsOf(wanted.stream().map(Change::seq).collect(Collectors.toList()));
            for (int i = 0; i < wanted.size(); i++) {
                assertSameChange(wanted.get(i), arrived.get(i));
            }
        });
    }

    private List<Change> awaitReceived(Predicate<List<Change>> complete) {
        long deadline = System.nanoTime() + timeout().toNanos();
        List<Change> got = received();
        while (!complete.test(got) && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for the destination", e);
            }
            got = received();
        }
        return got;
    }

    private static Map<Key, List<Change>> byKey(List<Change> changes) {
        return changes.stream().collect(Collectors.groupingBy(Change::key, LinkedHashMap::new, Collectors.toList()));
    }

    private static Set<Long> seqs(List<Change> changes) {
        return changes.stream().map(Change::seq).collect(Collectors.toSet());
    }

    private Instant ts() {
        return BASE_TS.plusMillis(seq.get() - 1000);
    }

    private static Json json(Object... keysAndValues) {
        Map<Object, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return Json.of(map);
    }
}
