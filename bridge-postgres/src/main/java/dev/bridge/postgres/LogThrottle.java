package dev.bridge.postgres;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * At most one log line per kind and interval, so that a flood of bad input cannot flood the log
 * while every kind still shows up again later. Not thread-safe: one thread's logging.
 */
final class LogThrottle {

    private final long intervalNanos;
    private final LongSupplier nanoClock;
    /** Per kind: when it was last logged, and how many were held back since. */
    private final Map<String, long[]> kinds = new HashMap<>();

    LogThrottle(long interval, TimeUnit unit, LongSupplier nanoClock) {
        this.intervalNanos = unit.toNanos(interval);
        this.nanoClock = nanoClock;
    }

    /** -1 if a line of this kind is to be held back now, else how many were held back since the last one. */
    long admit(String kind) {
        long now = nanoClock.getAsLong();
        long[] state = kinds.get(kind);
        if (state == null) {
            kinds.put(kind, new long[] {now, 0});
            return 0;
        }
        if (now - state[0] < intervalNanos) {
            state[1]++;
            return -1;
        }
        long held = state[1];
        state[0] = now;
        state[1] = 0;
        return held;
    }

    /** " (N more like it in the last interval)" for {@code held} above 0, else "". */
    static String held(long held, String interval) {
        return held > 0 ? " (and " + held + " more like it in the " + interval + " before)" : "";
    }
}
