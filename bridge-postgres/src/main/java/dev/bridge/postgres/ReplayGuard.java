package dev.bridge.postgres;

import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Lets each signed at-most-once message through once (docs/protocol.md §2.5). A signed message
 * carries its writer's transaction id; a message whose transaction had committed before the
 * listener started listening is old, so a replay of it is refused at once; within a session, each
 * change's seq passes once. The seqs it remembers are only those of the last few liveness checks:
 * once a transaction is visible in a snapshot two checks old, its messages — sent by the server
 * long before — are old too, and need no memory. Not thread-safe: the listener's thread only.
 */
final class ReplayGuard {

    /** Past this many remembered seqs (far beyond what NOTIFY can carry in a few seconds) the eldest are forgotten. */
    static final int MAX_REMEMBERED = 1_000_000;

    private Snapshot floor = Snapshot.NOTHING;
    private Snapshot previous;
    private Snapshot latest;
    /** seq → txid, in arrival order. */
    private final LinkedHashMap<Long, Long> delivered = new LinkedHashMap<>(1_024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Long> eldest) {
            return size() > MAX_REMEMBERED;
        }
    };

    /** A new session: {@code beforeListening} was taken just before LISTEN. */
    void listening(Snapshot beforeListening) {
        floor = beforeListening;
        previous = null;
        latest = null;
        forgetOld();
    }

    /**
     * Whether a message of transaction {@code txid} with change {@code seq} is new; if so it is
     * remembered as delivered.
     *
     * @return null if new, else why it is a replay
     */
    String admit(long txid, long seq) {
        if (floor.sees(txid)) {
            return "its transaction committed before the listener last started listening";
        }
        if (delivered.putIfAbsent(seq, txid) != null) {
            return "it was delivered already";
        }
        return null;
    }

    /** Whether a message of transaction {@code txid} with message id {@code messageId} (its seq in hex) would be refused. */
    boolean seen(long txid, String messageId) {
        if (txid < 0) {
            return false;
        }
        if (floor.sees(txid)) {
            return true;
        }
        try {
            return delivered.containsKey(Long.parseUnsignedLong(messageId, 16));
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** After each liveness check, once the notifications that came before its answer are handled. */
    void checked(Snapshot now) {
        if (previous != null) {
            floor = previous;
            forgetOld();
        }
        previous = latest;
        latest = now;
    }

    int remembered() {
        return delivered.size();
    }

    private void forgetOld() {
        Iterator<Long> txids = delivered.values().iterator();
        while (txids.hasNext()) {
            if (floor.sees(txids.next())) {
                txids.remove();
            }
        }
    }

    /** A PostgreSQL snapshot, {@code xmin:xmax:xip,...}, as {@code pg_current_snapshot()} prints it. */
    record Snapshot(long xmin, long xmax, long[] inProgress) {

        /** A snapshot in which no transaction is visible. */
        static final Snapshot NOTHING = new Snapshot(1, 1, new long[0]);

        static Snapshot parse(String text) {
            String[] parts = ChangeLog.requireSnapshot(text).split(":", -1);
            long[] xip = parts[2].isEmpty() ? new long[0]
                    : Arrays.stream(parts[2].split(",")).mapToLong(Long::parseUnsignedLong).sorted().toArray();
            return new Snapshot(Long.parseUnsignedLong(parts[0]), Long.parseUnsignedLong(parts[1]), xip);
        }

        /** Whether transaction {@code txid} had committed (or aborted) when the snapshot was taken. */
        boolean sees(long txid) {
            return txid < xmin || (txid < xmax && Arrays.binarySearch(inProgress, txid) < 0);
        }
    }
}
