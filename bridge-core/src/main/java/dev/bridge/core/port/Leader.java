package dev.bridge.core.port;

import java.time.Instant;
import java.util.Objects;

/**
 * Who leads one partition of a consumer.
 *
 * @param partition the partition
 * @param member the leading process's {@linkplain Membership#member() name}
 * @param epoch the lease's epoch
 * @param since when it took the partition
 */
public record Leader(int partition, String member, long epoch, Instant since) {
    public Leader {
        Objects.requireNonNull(member, "member");
        Objects.requireNonNull(since, "since");
    }
}
