package dev.bridge.core.engine;

import dev.bridge.core.Change;
import dev.bridge.core.Checkpoint;
import dev.bridge.core.Json;
import dev.bridge.core.Op;
import dev.bridge.core.port.ChangeHandler;
import dev.bridge.core.port.ChangeSource;
import dev.bridge.core.port.Subscription;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A change source over an in-memory log: replays from a checkpoint (the count of changes already
 * processed), then follows appends, handing a change over only while the handler has room for it,
 * as the change-log source does. Passes a checkpoint after every change.
 */
public final class InMemoryChangeLog implements ChangeSource {

    private final List<Change> log = new ArrayList<>();

    public synchronized Change append(String bucket, String id, long version) {
        Change change = new Change(Op.UPDATE, bucket, id, version, Instant.now(), Json.parse("{\"v\":" + version + "}"), null, log.size() + 1);
        log.add(change);
        notifyAll();
        return change;
    }

    public synchronized void append(Change change) {
        log.add(change);
        notifyAll();
    }

    public synchronized int size() {
        return log.size();
    }

    public synchronized Change get(int index) {
        return log.get(index);
    }

    private synchronized Change await(int index, Reader reader) throws InterruptedException {
        while (index >= log.size() && !reader.closed) {
            wait(100);
        }
        return reader.closed ? null : log.get(index);
    }

    /** Yes: each subscription replays the log from its own checkpoint. */
    @Override
    public boolean replayable() {
        return true;
    }

    @Override
    public Subscription subscribe(Optional<Checkpoint> from, ChangeHandler handler) {
        Reader reader = new Reader(from.map(c -> Integer.parseInt(c.position())).orElse(0), handler);
        reader.thread.start();
        return reader;
    }

    private final class Reader implements Subscription {
        final Thread thread;
        volatile boolean closed;

        Reader(int start, ChangeHandler handler) {
            thread = new Thread(() -> {
                try {
                    for (int i = start; !closed; i++) {
                        Change change = await(i, this);
                        if (change == null) {
                            return;
                        }
                        while (!closed && !handler.hasRoom(change.val() == null ? 0 : change.val().text().length())) {
                            Thread.sleep(1);
                        }
                        handler.onChange(change);
                        handler.onCheckpoint(new Checkpoint(Integer.toString(i + 1)));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "in-memory-log");
            thread.setDaemon(true);
        }

        @Override
        public boolean isActive() {
            return !closed && thread.isAlive();
        }

        @Override
        public void close() {
            closed = true;
            synchronized (InMemoryChangeLog.this) {
                InMemoryChangeLog.this.notifyAll();
            }
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
