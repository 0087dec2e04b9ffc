package dev.bridge.postgres;

import dev.bridge.core.protocol.ReassemblyStats;

/**
 * A listener's counters since it started.
 *
 * @param connected whether it is listening now
 * @param notifications notifications received on the channel
 * @param changes changes handed to the handler
 * @param malformedChanges complete messages that were not valid changes (dropped)
 * @param reconnects connections re-established after a loss
 * @param queueUsage the last reading of {@code pg_notification_queue_usage()}, 0 to 1
 * @param reassembly the reassembler's counters, including rejected frames by reason
 */
public record ListenerStats(
        boolean connected,
        long notifications,
        long changes,
        long malformedChanges,
        long reconnects,
        double queueUsage,
        ReassemblyStats reassembly) {
}
