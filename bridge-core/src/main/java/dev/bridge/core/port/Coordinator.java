package dev.bridge.core.port;

/**
 * Decides which of the processes that share a consumer leads each of its partitions, so that
 * exactly one delivers a partition at a time and the partitions are shared evenly among the live
 * processes. bridge-postgres's coordinator does it with PostgreSQL alone (docs/operations.md).
 */
public interface Coordinator {

    /**
     * Joins the processes of {@code consumer}: this process stands by for each of the
     * {@code partitions}, and {@code leadership} hears whenever it comes to lead one or has to let
     * one go, until the membership is closed. Returns at once; the coordination runs in the
     * background and keeps trying while the coordinator's store is unreachable.
     *
     * @throws IllegalArgumentException if {@code partitions} is below 1
     */
    Membership join(String consumer, int partitions, Leadership leadership);
}
