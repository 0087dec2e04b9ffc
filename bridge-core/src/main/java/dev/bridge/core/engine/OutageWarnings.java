package dev.bridge.core.engine;

import dev.bridge.core.settings.Settings;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The WARN lines of one sink's goings down and comings back, at most one such pair per interval so
 * that a flapping endpoint does not flood the log. A return is told only if its going down was; a
 * going down left out is told late, once the interval has passed, if the sink is still down then.
 * Each line told counts the transitions left out since the line before. Times on the caller's
 * nanosecond clock; not thread-safe: its owner holds a lock.
 */
final class OutageWarnings {

    /**
     * What a line about the sink going down tells.
     *
     * @param failures failed attempts in a row
     * @param lastReason the last failure's reason, as the sink gave it (sinks keep secrets out of their reasons)
     * @param waiting changes not settled
     * @param oldestAge how long ago the oldest of them was received, in nanoseconds
     */
    record Down(int failures, String lastReason, int waiting, long oldestAge, Duration probeMin, Duration probeMax) {
    }

    /**
     * What a line about the sink coming back tells.
     *
     * @param downFor how long it was down, in nanoseconds
     * @param failures failed attempts and probes from the start of the failures to the end of the outage
     * @param waiting changes not settled, which go now
     * @param released keys whose retry was brought forward
     */
    record Back(long downFor, int failures, int waiting, int released) {
    }

    private final String sink;
    private final long interval;
    private boolean toldAny;
    private long lastToldDownAt;
    private boolean downUntold;
    private boolean backOwed;
    private int untold;

    OutageWarnings(String sink, long intervalNanos) {
        this.sink = sink;
        this.interval = intervalNanos;
    }

    /** The sink went down: the line to log, unless it is left out. */
    Optional<String> wentDown(long now, Down down) {
        if (toldAny && now - lastToldDownAt < interval) {
            untold++;
            downUntold = true;
            return Optional.empty();
        }
        return Optional.of(tellDown(now, down));
    }

    /** The sink is still down: the line of a going down left out, once the interval has passed. */
    Optional<String> stillDown(long now, Down down) {
        if (!downUntold || now - lastToldDownAt < interval) {
            return Optional.empty();
        }
        untold--;
        return Optional.of(tellDown(now, down));
    }

    /** The sink came back: the line to log if its going down was told, else nothing. */
    Optional<String> cameBack(Back back) {
        downUntold = false;
        if (!backOwed) {
            untold++;
            return Optional.empty();
        }
        backOwed = false;
        return Optional.of("sink " + sink + " is delivering again after " + shown(back.downFor()) + " down (" + back.failures()
                + " failed attempts and probes): sending the " + back.waiting() + " changes waiting now, the retries of "
                + back.released() + " keys brought forward" + untoldSince());
    }

    private String tellDown(long now, Down down) {
        toldAny = true;
        lastToldDownAt = now;
        downUntold = false;
        backOwed = true;
        return "sink " + sink + " is DOWN: " + down.failures() + " attempts in a row, of more than one key, failed with no delivery"
                + " between (the last: " + down.lastReason() + "); " + down.waiting() + " changes wait, the oldest received "
                + shown(down.oldestAge()) + " ago; sending nothing but a probe of one change every " + Settings.shown(down.probeMin())
                + " to " + Settings.shown(down.probeMax()) + " until one is delivered" + untoldSince();
    }

    private String untoldSince() {
        int left = untold;
        untold = 0;
        return left == 0 ? "" : " (" + left + " more goings down and comings back since the last such line were not logged)";
    }

    /** Milliseconds under 10 s, whole seconds above. */
    static String shown(long nanos) {
        long millis = TimeUnit.NANOSECONDS.toMillis(nanos);
        return Settings.shown(Duration.ofMillis(millis < 10_000 ? millis : millis / 1_000 * 1_000));
    }
}
