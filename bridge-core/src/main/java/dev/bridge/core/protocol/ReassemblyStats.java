package dev.bridge.core.protocol;

import java.util.Map;

/**
 * Counts of a {@link Reassembler}'s outcomes since it was made, and its current fill.
 *
 * @param completed messages completed
 * @param pending frames accepted into a message still in flight
 * @param rejected rejections per reason (frames and dropped messages); every reason is present
 * @param inFlight incomplete messages held now
 * @param bufferedBytes bytes reserved by incomplete messages now
 */
public record ReassemblyStats(
        long completed, long pending, Map<RejectReason, Long> rejected, int inFlight, long bufferedBytes) {

    public ReassemblyStats {
        rejected = Map.copyOf(rejected);
    }

    public long rejected(RejectReason reason) {
        return rejected.getOrDefault(reason, 0L);
    }

    public long rejectedTotal() {
        return rejected.values().stream().mapToLong(Long::longValue).sum();
    }
}
