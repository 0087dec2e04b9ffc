package dev.bridge.core.engine;

import dev.bridge.core.Change;
import dev.bridge.core.Key;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * The changes waiting for one sink, by key: at most one change of a key is out at a time (so order
 * per key holds through retries), a key whose change failed waits for its retry time, and the
 * buffer is bounded in changes and bytes. While the endpoint is down, a probe takes one change
 * out of turn, and the endpoint's return makes the keys its failures put off ready at once. Times
 * are the caller's nanosecond clock, so it runs on a fake one in tests. Not thread-safe: its owner
 * holds a lock.
 */
final class KeyedBuffer {

    private final int maxChanges;
    private final long maxBytes;
    private final Map<Key, KeyQueue> keys = new HashMap<>();
    /**
     * Keys whose head change may go out, the oldest change first: delivery then follows the source's
     * order across keys as closely as the keys allow, so the checkpoint (behind the oldest unsettled
     * change) stays close behind what was delivered and a takeover repeats little.
     */
    private final PriorityQueue<KeyQueue> ready = new PriorityQueue<>(Comparator.comparingLong((KeyQueue k) -> k.entries.peekFirst().position));
    private final PriorityQueue<KeyQueue> waiting = new PriorityQueue<>(Comparator.comparingLong((KeyQueue k) -> k.readyAt));
    private final TreeMap<Long, Entry> unsettled = new TreeMap<>();
    private long bytes;

    KeyedBuffer(int maxChanges, long maxBytes) {
        this.maxChanges = maxChanges;
        this.maxBytes = maxBytes;
    }

    /** Whether a change of {@code size} bytes fits; an empty buffer takes any change, however large. */
    boolean hasRoomFor(long size) {
        return unsettled.isEmpty() || (unsettled.size() < maxChanges && bytes + size <= maxBytes);
    }

    /** Whether at most half the changes and half the bytes the buffer holds are taken. */
    boolean atMostHalfFull() {
        return unsettled.size() <= maxChanges / 2 && bytes <= maxBytes / 2;
    }

    void add(long position, Change change, long size, long now) {
        KeyQueue queue = keys.computeIfAbsent(change.key(), KeyQueue::new);
        queue.entries.addLast(new Entry(position, change, size, now));
        if (queue.entries.size() == 1 && !queue.busy) {
            makeReady(queue, now);
        }
        bytes += size;
        unsettled.put(position, queue.entries.peekLast());
    }

    /** Makes the keys whose retry time has come ready again. */
    void promoteDue(long now) {
        while (!waiting.isEmpty() && waiting.peek().readyAt - now <= 0) {
            makeReady(waiting.poll(), now);
        }
    }

    int readyKeys() {
        return ready.size();
    }

    /** How long the ready key with the oldest change has waited; 0 when none is ready. */
    long oldestReadyWaited(long now) {
        return ready.isEmpty() ? 0 : now - ready.peek().readySince;
    }

    boolean hasRetries() {
        return !waiting.isEmpty();
    }

    /** When the next waiting key is due; {@link Long#MAX_VALUE} if none waits. */
    long nextRetryAt() {
        return waiting.isEmpty() ? Long.MAX_VALUE : waiting.peek().readyAt;
    }

    /** Takes the head change of up to {@code max} ready keys, the oldest change first; each counts an attempt. */
    List<Entry> takeBatch(int max, long now) {
        List<Entry> batch = new ArrayList<>(Math.min(max, ready.size()));
        while (batch.size() < max && !ready.isEmpty()) {
            KeyQueue queue = ready.poll();
            queue.busy = true;
            Entry entry = queue.entries.peekFirst();
            if (entry.attempts++ == 0) {
                entry.firstAttemptAt = now;
            }
            batch.add(entry);
        }
        return batch;
    }

    /** The entry's key is tried again at {@code at}, the entry first; {@code now} is when that was decided. */
    void retryAt(Entry entry, long at, long now) {
        KeyQueue queue = keys.get(entry.change.key());
        queue.busy = false;
        queue.readyAt = at;
        queue.scheduledAt = now;
        waiting.add(queue);
    }

    /**
     * The head change of a key not out for delivery, whether its key is ready or waiting for a
     * retry: the oldest such change for the {@code first} probe of an outage, then one of a key
     * picked at random, so that changes that fail on their own (often the oldest) do not keep the
     * sink down once its endpoint is back. Its key is then out until the entry is settled or
     * {@linkplain #putBack put back}. Counts no attempt. Empty if every key is out.
     */
    Optional<Entry> takeProbe(boolean first, java.util.Random random) {
        KeyQueue oldest = null;
        List<KeyQueue> free = first ? List.of() : new ArrayList<>();
        for (KeyQueue queue : keys.values()) {
            if (queue.busy) {
                continue;
            }
            if (oldest == null || queue.entries.peekFirst().position < oldest.entries.peekFirst().position) {
                oldest = queue;
            }
            if (!first) {
                free.add(queue);
            }
        }
        if (oldest == null) {
            return Optional.empty();
        }
        if (!first) {
            oldest = free.get(random.nextInt(free.size()));
        }
        oldest.probedFromWaiting = waiting.remove(oldest);
        if (!oldest.probedFromWaiting) {
            ready.remove(oldest);
        }
        oldest.busy = true;
        return Optional.of(oldest.entries.peekFirst());
    }

    /**
     * A probe's entry goes back unsettled: to wait for its key's retry time if it was waiting and
     * not {@code readyNow}, else among the ready keys, by the age of its change.
     */
    void putBack(Entry entry, boolean readyNow) {
        KeyQueue queue = keys.get(entry.change.key());
        queue.busy = false;
        if (queue.probedFromWaiting && !readyNow) {
            waiting.add(queue);
        } else {
            ready.add(queue);
        }
    }

    /**
     * Makes ready at once every key waiting for a retry that was scheduled at or after {@code since},
     * oldest head change first; keys scheduled earlier keep their time.
     *
     * @return how many keys were made ready
     */
    int releaseRetriesScheduledSince(long since, long now) {
        List<KeyQueue> released = new ArrayList<>();
        waiting.removeIf(queue -> {
            boolean scheduledSince = queue.scheduledAt - since >= 0;
            if (scheduledSince) {
                released.add(queue);
            }
            return scheduledSince;
        });
        released.sort(Comparator.comparingLong((KeyQueue k) -> k.entries.peekFirst().position));
        released.forEach(queue -> makeReady(queue, now));
        return released.size();
    }

    /** The entry is settled (delivered or dead-lettered); the next change of its key becomes ready. */
    void complete(Entry entry, long now) {
        KeyQueue queue = keys.get(entry.change.key());
        queue.entries.removeFirst();
        queue.busy = false;
        if (queue.entries.isEmpty()) {
            keys.remove(queue.key);
        } else {
            makeReady(queue, now);
        }
        bytes -= entry.bytes;
        unsettled.remove(entry.position);
    }

    /** How long ago the oldest unsettled change was added; 0 when none is. */
    long oldestUnsettledAge(long now) {
        return unsettled.isEmpty() ? 0 : now - unsettled.firstEntry().getValue().receivedAt;
    }

    boolean isEmpty() {
        return unsettled.isEmpty();
    }

    int size() {
        return unsettled.size();
    }

    long bytes() {
        return bytes;
    }

    /** The smallest position not yet settled, or {@link Long#MAX_VALUE} if all are. */
    long lowestUnsettled() {
        return unsettled.isEmpty() ? Long.MAX_VALUE : unsettled.firstKey();
    }

    private void makeReady(KeyQueue queue, long now) {
        queue.readySince = now;
        ready.add(queue);
    }

    /** The changes of one key, oldest first; the head is the one out for delivery while {@code busy}. */
    private static final class KeyQueue {
        final Key key;
        final ArrayDeque<Entry> entries = new ArrayDeque<>(2);
        boolean busy;
        long readySince;
        long readyAt;
        /** When its retry was scheduled. */
        long scheduledAt;
        boolean probedFromWaiting;

        KeyQueue(Key key) {
            this.key = key;
        }
    }

    /** One buffered change with its delivery attempts. */
    static final class Entry {
        final long position;
        final Change change;
        final long bytes;
        final long receivedAt;
        int attempts;
        /** On the clock of {@code now} given to {@link #takeBatch}: the engine's age clock, which stops while the sink is down. */
        long firstAttemptAt;

        Entry(long position, Change change, long bytes, long receivedAt) {
            this.position = position;
            this.change = change;
            this.bytes = bytes;
            this.receivedAt = receivedAt;
        }
    }
}
