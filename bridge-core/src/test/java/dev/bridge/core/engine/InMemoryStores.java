package dev.bridge.core.engine;

import dev.bridge.core.Change;
import dev.bridge.core.Checkpoint;
import dev.bridge.core.DeadLetter;
import dev.bridge.core.port.CheckpointStore;
import dev.bridge.core.port.DeadLetterStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** Checkpoint and dead-letter stores in memory, for tests of the engine and of sinks run through it. */
public final class InMemoryStores {

    private InMemoryStores() {
    }

    /** Checkpoints by consumer, then sink; a sink new to a consumer starts at the beginning. */
    public static final class Checkpoints implements CheckpointStore {
        public final Map<String, Map<String, Checkpoint>> saved = new ConcurrentHashMap<>();
        public final List<Checkpoint> history = new CopyOnWriteArrayList<>();
        /** What {@link #lost} answers for every sink: a source that dropped changes before the sinks read them. */
        public final AtomicLong lost = new AtomicLong();

        @Override
        public long lost(String consumer, String sink) {
            return lost.get();
        }

        @Override
        public Map<String, Checkpoint> load(String consumer, Set<String> sinks) {
            return Map.copyOf(saved.getOrDefault(consumer, Map.of()));
        }

        @Override
        public void save(String consumer, String sink, Checkpoint checkpoint) {
            saved.computeIfAbsent(consumer, c -> new ConcurrentHashMap<>()).put(sink, checkpoint);
            history.add(checkpoint);
        }

        /**
         * How many changes of an {@link InMemoryChangeLog} the checkpoints of the consumer's sinks all cover;
         * of those that have one, so wait for a single sink's with {@link #covers(String, String)}.
         */
        public int covers(String consumer) {
            Map<String, Checkpoint> sinks = saved.getOrDefault(consumer, Map.of());
            return sinks.isEmpty() ? 0 : sinks.values().stream().mapToInt(c -> Integer.parseInt(c.position())).min().orElseThrow();
        }

        /** How many changes of an {@link InMemoryChangeLog} the checkpoint of one sink of the consumer covers. */
        public int covers(String consumer, String sink) {
            Checkpoint c = saved.getOrDefault(consumer, Map.of()).get(sink);
            return c == null ? 0 : Integer.parseInt(c.position());
        }
    }

    public static final class DeadLetters implements DeadLetterStore {
        public final List<DeadLetter> letters = new CopyOnWriteArrayList<>();
        private final AtomicLong ids = new AtomicLong();

        @Override
        public DeadLetter add(String sink, Change change, String reason, int attempts) {
            DeadLetter letter = new DeadLetter(ids.incrementAndGet(), sink, change, reason, attempts, Instant.now());
            letters.add(letter);
            return letter;
        }

        @Override
        public List<DeadLetter> list(String sink, long afterId, int limit) {
            List<DeadLetter> out = new ArrayList<>();
            for (DeadLetter l : letters) {
                if ((sink == null || sink.equals(l.sink())) && l.id() > afterId && out.size() < limit) {
                    out.add(l);
                }
            }
            return out;
        }

        @Override
        public boolean remove(long id) {
            return letters.removeIf(l -> l.id() == id);
        }
    }
}
