package dev.bridge.core.engine;

import java.time.Duration;
import java.util.Objects;

/**
 * When the engine takes a sink's endpoint to be down, rather than one change to be failing, and how
 * it finds out that the endpoint is back. See "Endpoint health" in {@code docs/delivery.md}.
 *
 * @param downAfter failed attempts in a row, with no delivery between and across at least two keys,
 *     after which the sink is down (once {@code downAfterTime} has passed too); at least 2
 * @param downAfterTime how long the failures in a row must have gone on, from the first of them,
 *     before the sink is down: an endpoint that delivers some keys and refuses others keeps
 *     delivering within this time, so only one failing for every key goes down; zero or more
 * @param probeMin how long after the sink went down the first probe (one change, sent alone) goes out
 * @param probeMax the longest wait between probes: after each failed probe the wait doubles, from
 *     {@code probeMin} up to this
 * @param countOutages whether attempts and time while the sink is down count toward a change's
 *     {@link RetryPolicy#maxAttempts()} and {@link RetryPolicy#maxAge()} as if the endpoint were up
 *     (false: an outage, however long, dead-letters nothing that it held)
 */
public record EndpointPolicy(int downAfter, Duration downAfterTime, Duration probeMin, Duration probeMax, boolean countOutages) {

    public EndpointPolicy {
        if (downAfter < 2) {
            throw new IllegalArgumentException("downAfter must be at least 2, got " + downAfter);
        }
        Objects.requireNonNull(downAfterTime, "downAfterTime");
        if (downAfterTime.isNegative()) {
            throw new IllegalArgumentException("downAfterTime must not be negative, got " + downAfterTime);
        }
        Objects.requireNonNull(probeMin, "probeMin");
        Objects.requireNonNull(probeMax, "probeMax");
        if (probeMin.isNegative() || probeMin.isZero()) {
            throw new IllegalArgumentException("probeMin must be positive, got " + probeMin);
        }
        if (probeMax.compareTo(probeMin) < 0) {
            throw new IllegalArgumentException("probeMax (" + probeMax + ") must not be below probeMin (" + probeMin + ")");
        }
    }

    private static final EndpointPolicy DEFAULTS = new EndpointPolicy(5, Duration.ofSeconds(1), Duration.ofMillis(200), Duration.ofSeconds(2), false);

    /**
     * The shipped defaults, as {@code bridge.sink.defaults.delivery.endpoint} in bridge-core's
     * reference.conf: down after 5 failed attempts in a row over at least 1 s, probes from 200 ms doubling up to 2 s, outages
     * not counted.
     */
    public static EndpointPolicy defaults() {
        return DEFAULTS;
    }

    public EndpointPolicy withDownAfter(int attempts) {
        return new EndpointPolicy(attempts, downAfterTime, probeMin, probeMax, countOutages);
    }

    public EndpointPolicy withDownAfterTime(Duration value) {
        return new EndpointPolicy(downAfter, value, probeMin, probeMax, countOutages);
    }

    public EndpointPolicy withProbes(Duration min, Duration max) {
        return new EndpointPolicy(downAfter, downAfterTime, min, max, countOutages);
    }

    public EndpointPolicy withCountOutages(boolean value) {
        return new EndpointPolicy(downAfter, downAfterTime, probeMin, probeMax, value);
    }
}
