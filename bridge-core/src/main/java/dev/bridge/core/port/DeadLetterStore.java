package dev.bridge.core.port;

import dev.bridge.core.Change;
import dev.bridge.core.DeadLetter;
import java.util.List;

/** Keeps the changes sinks gave up on, for inspection and replay. Thread-safe; writes are durable when they return. */
public interface DeadLetterStore {

    /** Stores a change a sink gave up on and returns it with its id and time. */
    DeadLetter add(String sink, Change change, String reason, int attempts);

    /**
     * Letters in id order.
     *
     * @param sink only this sink's letters, or null for all
     * @param afterId only letters with a larger id (0 for the first page)
     * @param limit at most this many, at least 1
     */
    List<DeadLetter> list(String sink, long afterId, int limit);

    /** Removes a letter (after a replay); returns whether it existed. */
    boolean remove(long id);

    /** How many letters there are, of one sink or (null) of all; by default counted page by page. */
    default long count(String sink) {
        long n = 0;
        long after = 0;
        for (List<DeadLetter> page = list(sink, after, 500); !page.isEmpty(); page = list(sink, after, 500)) {
            n += page.size();
            after = page.get(page.size() - 1).id();
        }
        return n;
    }
}
