package dev.bridge.postgres;

import dev.bridge.core.protocol.ReassemblyStats;

/**
 * A listener's counters since it started.
 *
 * @param connected whether it is listening now
 * @param notifications notifications received on the channel
 * @param changes changes handed to the handler
 * @param malformedChanges complete messages or log rows that were not valid changes (dropped)
 * @param replayedMessages at-most-once: signed messages sent again, or of transactions committed
 *     before the listener was listening (dropped)
 * @param rejectedLogRows at-least-once: log rows whose change names another seq than the row, so
 *     that no capture trigger wrote them (skipped)
 * @param reconnects connections re-established after a loss
 * @param queueUsage the last reading of {@code pg_notification_queue_usage()}, 0 to 1
 * @param reassembly the reassembler's counters, including rejected frames by reason
 */
public record ListenerStats(
        boolean connected,
        long notifications,
        long changes,
        long malformedChanges,
        long replayedMessages,
        long rejectedLogRows,
        long reconnects,
        double queueUsage,
        ReassemblyStats reassembly) {
}
