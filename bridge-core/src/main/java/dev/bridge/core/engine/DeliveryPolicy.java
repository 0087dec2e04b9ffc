package dev.bridge.core.engine;

import java.time.Duration;
import java.util.Objects;

/**
 * How the engine feeds one sink.
 *
 * @param parallelism batches in flight at once; different keys only, so order per key holds
 * @param batchSize the most changes in one batch
 * @param linger how long a batch that is not full may wait for more changes
 * @param bufferChanges the most changes waiting for or in delivery; when full, the source waits
 * @param bufferBytes the most bytes of change data waiting for or in delivery (a change larger than
 *     this still passes, alone)
 * @param ackTimeout how long a delivered batch may stay unacknowledged before its remaining changes
 *     are retried
 * @param retry when to retry and when to give up
 */
public record DeliveryPolicy(
        int parallelism, int batchSize, Duration linger, int bufferChanges, long bufferBytes, Duration ackTimeout, RetryPolicy retry) {

    public DeliveryPolicy {
        atLeastOne("parallelism", parallelism);
        atLeastOne("batchSize", batchSize);
        atLeastOne("bufferChanges", bufferChanges);
        if (bufferBytes < 1) {
            throw new IllegalArgumentException("bufferBytes must be at least 1, got " + bufferBytes);
        }
        Objects.requireNonNull(linger, "linger");
        if (linger.isNegative()) {
            throw new IllegalArgumentException("linger must not be negative, got " + linger);
        }
        Objects.requireNonNull(ackTimeout, "ackTimeout");
        if (ackTimeout.isNegative() || ackTimeout.isZero()) {
            throw new IllegalArgumentException("ackTimeout must be positive, got " + ackTimeout);
        }
        Objects.requireNonNull(retry, "retry");
    }

    /**
     * The shipped defaults, as {@code bridge.sink.defaults.delivery} in bridge-core's reference.conf:
     * parallelism 4, batches of up to 100 with no linger, a buffer of 10,000 changes or 64 MiB, a 60 s
     * acknowledgement timeout, and {@link RetryPolicy#defaults()}.
     */
    public static DeliveryPolicy defaults() {
        return DEFAULTS;
    }

    private static final DeliveryPolicy DEFAULTS =
            new DeliveryPolicy(4, 100, Duration.ZERO, 10_000, 64L << 20, Duration.ofSeconds(60), RetryPolicy.defaults());

    public DeliveryPolicy withParallelism(int value) {
        return new DeliveryPolicy(value, batchSize, linger, bufferChanges, bufferBytes, ackTimeout, retry);
    }

    public DeliveryPolicy withBatch(int size, Duration lingerTime) {
        return new DeliveryPolicy(parallelism, size, lingerTime, bufferChanges, bufferBytes, ackTimeout, retry);
    }

    public DeliveryPolicy withBuffer(int changes, long bytes) {
        return new DeliveryPolicy(parallelism, batchSize, linger, changes, bytes, ackTimeout, retry);
    }

    public DeliveryPolicy withAckTimeout(Duration value) {
        return new DeliveryPolicy(parallelism, batchSize, linger, bufferChanges, bufferBytes, value, retry);
    }

    public DeliveryPolicy withRetry(RetryPolicy value) {
        return new DeliveryPolicy(parallelism, batchSize, linger, bufferChanges, bufferBytes, ackTimeout, value);
    }

    private static void atLeastOne(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, got " + value);
        }
    }
}
