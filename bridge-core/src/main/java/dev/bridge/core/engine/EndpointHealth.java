package dev.bridge.core.engine;

import dev.bridge.core.Key;
import java.time.Duration;
import java.util.Optional;

/**
 * Whether a sink's endpoint is up, told from the acknowledgements: a run of retries across keys with
 * no delivery between takes it {@link SinkState#DOWN}; a delivery, normally a probe's, ends the
 * outage. It says when the next probe is due, and keeps the clock on which a change's age is
 * measured, which stands still while the sink is down unless outages count. A
 * {@linkplain dev.bridge.core.port.Ack.Failed failed} change is its own problem and is not heard
 * here. Every method takes the time now, on the caller's nanosecond clock; not thread-safe: its
 * owner holds a lock.
 */
final class EndpointHealth {

    /** How long a sink stays {@link SinkState#DEGRADED} after a retry (as {@link SinkState} documents). */
    static final long DEGRADED_FOR = Duration.ofSeconds(10).toNanos();

    /**
     * An outage that a delivery ended.
     *
     * @param runStartedAt when the run of failures that led to it began
     * @param downFor how long the sink was down
     * @param failures failed attempts and probes from the start of the run to its end
     */
    record Outage(long runStartedAt, long downFor, int failures) {
    }

    private final EndpointPolicy policy;

    private int failures;
    private Key firstKey;
    private boolean severalKeys;
    private long runStartedAt;
    /** The latest time the endpoint asked not to be tried before, in this run; the run's start if it asked none. */
    private long notBefore;
    private String lastReason = "";

    private boolean down;
    private long downSince;
    /** Time spent down in the outages that ended. */
    private long downBefore;
    private boolean failedSinceUp;
    private long lastFailureAt;
    private long degradedSince;
    private long upSince;

    private boolean probing;
    private int probesSent;
    private long probeWait;
    private long nextProbeAt;

    EndpointHealth(EndpointPolicy policy, long now) {
        this.policy = policy;
        this.upSince = now;
    }

    SinkState state(long now) {
        if (down) {
            return SinkState.DOWN;
        }
        return failedSinceUp && now - lastFailureAt < DEGRADED_FOR ? SinkState.DEGRADED : SinkState.DELIVERING;
    }

    /** When the sink entered its {@linkplain #state(long) state}. */
    long since(long now) {
        return switch (state(now)) {
            case DOWN -> downSince;
            case DEGRADED -> degradedSince;
            case DELIVERING -> failedSinceUp ? lastFailureAt + DEGRADED_FOR : upSince;
        };
    }

    /**
     * An attempt (not a probe) is to be retried: the acknowledgement asked for it, or the sink threw,
     * or did not acknowledge in time.
     *
     * @param retryNotBefore when the endpoint asked to be tried again at the earliest; {@code now} if it did not
     */
    void retried(Key key, String reason, long retryNotBefore, long now) {
        if (failures == 0) {
            runStartedAt = now;
            notBefore = now;
            firstKey = key;
            severalKeys = false;
        }
        failed(reason, retryNotBefore);
        severalKeys |= !key.equals(firstKey);
        if (down) {
            return;
        }
        if (state(now) == SinkState.DELIVERING) {
            degradedSince = now;
        }
        failedSinceUp = true;
        lastFailureAt = now;
        tick(now);
    }

    /**
     * Takes the sink down if its failures in a row are enough in number, of several keys, and have
     * gone on for long enough by {@code now}; the owner calls this when {@link #untilDown} is due too.
     */
    void tick(long now) {
        if (!down && failures >= policy.downAfter() && severalKeys && now - runStartedAt >= policy.downAfterTime().toNanos()) {
            down = true;
            probesSent = 0;
            downSince = now;
            probeWait = policy.probeMin().toNanos();
            nextProbeAt = later(now + probeWait, notBefore);
        }
    }

    /** How long until the failures in a row take the sink down unless a delivery comes first; {@link Long#MAX_VALUE} if they would not. */
    long untilDown(long now) {
        if (down || failures < policy.downAfter() || !severalKeys) {
            return Long.MAX_VALUE;
        }
        return runStartedAt + policy.downAfterTime().toNanos() - now;
    }

    /** A change was delivered: the run of failures ends, and so does an outage. */
    Optional<Outage> delivered(long now) {
        int run = failures;
        failures = 0;
        firstKey = null;
        if (!down) {
            return Optional.empty();
        }
        down = false;
        probing = false;
        failedSinceUp = false;
        upSince = now;
        downBefore += now - downSince;
        return Optional.of(new Outage(runStartedAt, now - downSince, run));
    }

    /**
     * Whether an outage ended after {@code sentAt}: a failure of an attempt sent before the endpoint
     * came back tells nothing of it now.
     */
    boolean cameBackSince(long sentAt) {
        return sentAt - upSince < 0;
    }

    /**
     * How long until the next probe is due: zero or less when one should go out now, {@link Long#MAX_VALUE}
     * when the sink is not down or a probe is out.
     */
    long untilProbe(long now) {
        return down && !probing ? nextProbeAt - now : Long.MAX_VALUE;
    }

    void probeSent() {
        probing = true;
        probesSent++;
    }

    /** Whether no probe has gone out since the sink went down. */
    boolean firstProbe() {
        return probesSent == 0;
    }

    /** The probe is to be retried: the wait for the next one doubles, up to the policy's most, and respects the endpoint's wish. */
    void probeFailed(String reason, long retryNotBefore, long now) {
        probing = false;
        if (!down) {
            return;
        }
        failed(reason, retryNotBefore);
        probeWait = Math.min(probeWait * 2, policy.probeMax().toNanos());
        nextProbeAt = later(now + probeWait, notBefore);
    }

    /**
     * The probe's change failed for good: the endpoint answered, so the next probe goes out soon,
     * after the policy's least wait.
     */
    void probeRefused(long now) {
        probing = false;
        if (down) {
            probeWait = policy.probeMin().toNanos();
            nextProbeAt = later(now + probeWait, notBefore);
        }
    }

    /** The time on the clock of a change's age: {@code now} less the time spent down, unless outages count. */
    long ageClock(long now) {
        if (policy.countOutages()) {
            return now;
        }
        return now - downBefore - (down ? now - downSince : 0);
    }

    /** Failed attempts and probes since the last delivery. */
    int failures() {
        return failures;
    }

    String lastReason() {
        return lastReason;
    }

    private void failed(String reason, long retryNotBefore) {
        failures++;
        lastReason = reason;
        notBefore = later(notBefore, retryNotBefore);
    }

    private static long later(long a, long b) {
        return a - b >= 0 ? a : b;
    }
}
