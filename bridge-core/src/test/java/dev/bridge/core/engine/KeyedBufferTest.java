package dev.bridge.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bridge.core.Change;
import dev.bridge.core.Json;
import dev.bridge.core.Op;
import dev.bridge.core.engine.KeyedBuffer.Entry;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-key buffer on a clock of plain numbers: no threads, no sleeping. */
class KeyedBufferTest {

    private long position;

    private static Change change(String id, long version) {
        return new Change(Op.UPDATE, "orders", id, version, Instant.EPOCH, Json.parse("{}"), null, version);
    }

    private void add(KeyedBuffer buffer, String id, long version, long now) {
        buffer.add(position++, change(id, version), 100, now);
    }

    /** A buffer holding version 1 of each key, added at 0. */
    private KeyedBuffer holding(String... keys) {
        KeyedBuffer buffer = new KeyedBuffer(100, 1 << 20);
        for (String key : keys) {
            add(buffer, key, 1, 0);
        }
        return buffer;
    }

    private static List<String> ids(List<Entry> batch) {
        return batch.stream().map(e -> e.change.id() + "@" + e.change.version()).toList();
    }

    @Test
    void aBatchHoldsOneChangeOfEachKeyAndTheNextOfAKeyWaitsUntilTheFirstIsSettled() {
        KeyedBuffer buffer = new KeyedBuffer(100, 1 << 20);
        add(buffer, "a", 1, 0);
        add(buffer, "a", 2, 0);
        add(buffer, "b", 1, 0);

        List<Entry> first = buffer.takeBatch(10, 5);
        assertThat(ids(first)).containsExactly("a@1", "b@1");
        assertThat(buffer.takeBatch(10, 6)).isEmpty();

        buffer.complete(first.get(0), 7);
        assertThat(ids(buffer.takeBatch(10, 8))).containsExactly("a@2");
        assertThat(buffer.lowestUnsettled()).isEqualTo(1);
    }

    @Test
    void readyKeysGoOutOldestChangeFirstWhenEverTheyBecameReady() {
        KeyedBuffer buffer = new KeyedBuffer(100, 1 << 20);
        add(buffer, "a", 1, 0);
        add(buffer, "b", 1, 0);
        add(buffer, "a", 2, 0);
        add(buffer, "c", 1, 0);
        Entry a1 = buffer.takeBatch(1, 1).get(0);
        buffer.complete(a1, 2);
        assertThat(ids(buffer.takeBatch(10, 3))).as("a@2 became ready last but is older than c@1").containsExactly("b@1", "a@2", "c@1");
    }

    @Test
    void aKeyToRetryComesBackAtItsTimeWithTheSameChangeFirstAndCountsItsAttempts() {
        KeyedBuffer buffer = new KeyedBuffer(100, 1 << 20);
        add(buffer, "a", 1, 0);
        add(buffer, "a", 2, 0);
        Entry a1 = buffer.takeBatch(10, 10).get(0);
        buffer.retryAt(a1, 1_000, 10);

        assertThat(buffer.nextRetryAt()).isEqualTo(1_000);
        buffer.promoteDue(999);
        assertThat(buffer.readyKeys()).isZero();
        buffer.promoteDue(1_000);
        List<Entry> again = buffer.takeBatch(10, 1_000);

        assertThat(ids(again)).containsExactly("a@1");
        assertThat(again.get(0).attempts).isEqualTo(2);
        assertThat(again.get(0).firstAttemptAt).isEqualTo(10);
        assertThat(buffer.nextRetryAt()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void readyKeysGoOldestFirstAndTheirWaitIsMeasuredFromWhenTheyBecameReady() {
        KeyedBuffer buffer = new KeyedBuffer(100, 1 << 20);
        add(buffer, "a", 1, 100);
        add(buffer, "b", 1, 250);
        assertThat(buffer.oldestReadyWaited(400)).isEqualTo(300);
        assertThat(ids(buffer.takeBatch(1, 400))).containsExactly("a@1");
        assertThat(buffer.oldestReadyWaited(400)).isEqualTo(150);
    }

    @Test
    void theBufferIsBoundedInChangesAndBytesButAnEmptyOneTakesAnyChange() {
        KeyedBuffer byCount = new KeyedBuffer(2, 1 << 20);
        add(byCount, "a", 1, 0);
        add(byCount, "b", 1, 0);
        assertThat(byCount.hasRoomFor(100)).isFalse();

        KeyedBuffer byBytes = new KeyedBuffer(100, 250);
        assertThat(byBytes.hasRoomFor(10_000)).isTrue();
        add(byBytes, "a", 1, 0);
        add(byBytes, "b", 1, 0);
        assertThat(byBytes.bytes()).isEqualTo(200);
        assertThat(byBytes.hasRoomFor(50)).isTrue();
        assertThat(byBytes.hasRoomFor(51)).isFalse();

        for (Entry e : byBytes.takeBatch(10, 0)) {
            byBytes.complete(e, 0);
        }
        assertThat(byBytes.isEmpty()).isTrue();
        assertThat(byBytes.bytes()).isZero();
        assertThat(byBytes.lowestUnsettled()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aProbeTakesTheOldestChangeNotOutWhateverItsRetryTimeAndCountsNoAttempt() {
        KeyedBuffer buffer = holding("a", "b", "c");
        List<Entry> first = buffer.takeBatch(2, 10);
        buffer.retryAt(first.get(0), 1_000_000, 20);
        buffer.retryAt(first.get(1), 500, 20);

        Entry probe = buffer.takeProbe(true, new java.util.Random(1)).orElseThrow();

        assertThat(ids(List.of(probe))).containsExactly("a@1");
        assertThat(probe.attempts).isEqualTo(1);
        assertThat(buffer.takeProbe(true, new java.util.Random(1)).map(e -> e.change.id())).contains("b");
        assertThat(buffer.takeProbe(true, new java.util.Random(1)).map(e -> e.change.id())).contains("c");
        assertThat(buffer.takeProbe(true, new java.util.Random(1))).as("every key is out").isEmpty();
        assertThat(buffer.readyKeys()).isZero();
    }

    @Test
    void aProbePutBackWaitsForItsKeysRetryAgainOrGoesByTheAgeOfItsChange() {
        KeyedBuffer buffer = holding("a", "b");
        Entry a1 = buffer.takeBatch(1, 10).get(0);
        buffer.retryAt(a1, 1_000, 20);

        buffer.putBack(buffer.takeProbe(true, new java.util.Random(1)).orElseThrow(), false);
        assertThat(buffer.nextRetryAt()).as("a waits for its retry again").isEqualTo(1_000);
        buffer.promoteDue(1_000);
        assertThat(ids(buffer.takeBatch(10, 1_000))).as("a's change is the older").containsExactly("a@1", "b@1");

        KeyedBuffer readyOnes = new KeyedBuffer(100, 1 << 20);
        add(readyOnes, "x", 1, 0);
        add(readyOnes, "y", 1, 5);
        Entry x1 = readyOnes.takeProbe(true, new java.util.Random(1)).orElseThrow();
        assertThat(readyOnes.readyKeys()).isEqualTo(1);
        readyOnes.putBack(x1, false);
        assertThat(readyOnes.oldestReadyWaited(50)).as("x keeps its place and its wait").isEqualTo(50);
        assertThat(ids(readyOnes.takeBatch(10, 50))).containsExactly("x@1", "y@1");
    }

    @Test
    void afterTheFirstProbeOfAnOutageAProbeIsOfAKeyAtRandomSoOneFailingChangeIsNotEveryProbe() {
        KeyedBuffer buffer = holding("a", "b", "c");
        java.util.Random random = new java.util.Random(7);
        java.util.Set<String> probed = new java.util.HashSet<>();
        Entry first = buffer.takeProbe(true, random).orElseThrow();
        assertThat(first.change.id()).isEqualTo("a");
        buffer.putBack(first, false);
        for (int i = 0; i < 50; i++) {
            Entry probe = buffer.takeProbe(false, random).orElseThrow();
            probed.add(probe.change.id());
            buffer.putBack(probe, false);
        }
        assertThat(probed).containsExactlyInAnyOrder("a", "b", "c");
    }

    @Test
    void aProbePutBackReadyNowIsTheFirstReadyKeyThoughItsRetryTimeIsToCome() {
        KeyedBuffer buffer = holding("a", "b");
        buffer.retryAt(buffer.takeBatch(1, 10).get(0), 1_000_000, 20);
        Entry probe = buffer.takeProbe(true, new java.util.Random(1)).orElseThrow();

        buffer.putBack(probe, true);

        assertThat(buffer.hasRetries()).isFalse();
        assertThat(ids(buffer.takeBatch(10, 30))).containsExactly("a@1", "b@1");
    }

    @Test
    void theRetriesScheduledSinceATimeAreMadeReadyAtOnceOldestChangeFirstAndEarlierOnesKeepTheirTime() {
        KeyedBuffer buffer = holding("early", "a", "b");
        List<Entry> out = buffer.takeBatch(3, 10);
        buffer.retryAt(out.get(0), 9_000_000, 100);
        buffer.retryAt(out.get(2), 5_000_000, 300);
        buffer.retryAt(out.get(1), 7_000_000, 200);

        assertThat(buffer.releaseRetriesScheduledSince(200, 400)).isEqualTo(2);

        assertThat(buffer.oldestReadyWaited(400)).isZero();
        assertThat(ids(buffer.takeBatch(10, 400))).containsExactly("a@1", "b@1");
        assertThat(buffer.nextRetryAt()).as("the key that failed before keeps its time").isEqualTo(9_000_000);
        assertThat(buffer.releaseRetriesScheduledSince(200, 500)).isZero();
    }

    @Test
    void theAgeOfTheOldestUnsettledChangeRunsFromWhenItWasAdded() {
        KeyedBuffer buffer = new KeyedBuffer(100, 1 << 20);
        assertThat(buffer.oldestUnsettledAge(1_000)).isZero();
        add(buffer, "a", 1, 100);
        add(buffer, "b", 1, 400);
        assertThat(buffer.oldestUnsettledAge(1_000)).isEqualTo(900);
        buffer.complete(buffer.takeBatch(1, 500).get(0), 600);
        assertThat(buffer.oldestUnsettledAge(1_000)).isEqualTo(600);
    }
}
