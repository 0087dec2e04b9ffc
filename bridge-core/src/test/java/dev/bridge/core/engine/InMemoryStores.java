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
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** Checkpoint and dead-letter stores in memory, for tests of the engine and of sinks run through it. */
public final class InMemoryStores {

    private InMemoryStores() {
    }

    public static final class Checkpoints implements CheckpointStore {
        public final Map<String, Checkpoint> saved = new ConcurrentHashMap<>();
        public final List<Checkpoint> history = new CopyOnWriteArrayList<>();
        /** What {@link #lost} answers: a source that dropped changes before the consumer read them. */
        public final AtomicLong lost = new AtomicLong();

        @Override
        public long lost(String consumer) {
            return lost.get();
        }

        @Override
        public Optional<Checkpoint> load(String consumer) {
            return Optional.ofNullable(saved.get(consumer));
        }

        @Override
        public void save(String consumer, Checkpoint checkpoint) {
            saved.put(consumer, checkpoint);
            history.add(checkpoint);
        }

        /** How many changes of an {@link InMemoryChangeLog} the consumer's checkpoint covers. */
        public int covers(String consumer) {
            Checkpoint c = saved.get(consumer);
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
