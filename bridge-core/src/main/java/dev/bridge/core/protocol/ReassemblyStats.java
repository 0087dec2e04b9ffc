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

    /** No outcome yet: every count 0. */
    public static ReassemblyStats none() {
        Map<RejectReason, Long> zero = new java.util.EnumMap<>(RejectReason.class);
        for (RejectReason reason : RejectReason.values()) {
            zero.put(reason, 0L);
        }
        return new ReassemblyStats(0, 0, zero, 0, 0);
    }

    public long rejected(RejectReason reason) {
        return rejected.getOrDefault(reason, 0L);
    }

    public long rejectedTotal() {
        return rejected.values().stream().mapToLong(Long::longValue).sum();
    }
}
