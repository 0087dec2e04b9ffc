package dev.bridge.core.port;

/**
 * The right of one process to deliver one partition of a consumer, from a {@link Coordinator}. Its
 * epoch grows with every change of leader, so a checkpoint store can refuse the saves of a leader
 * that has been replaced ({@link CheckpointStore#leased}). Thread-safe.
 */
public interface Lease {

    String consumer();

    /** The partition, 0 to {@code partitions() - 1}. */
    int partition();

    /** How many partitions the consumer's changes are split into. */
    int partitions();

    /** Grows by at least one each time the partition changes hands. */
    long epoch();

    /**
     * Whether this process may still act for the partition: false once the lease was lost, given up,
     * or not renewed within its time, as this process's clock sees it; it never turns true again.
     */
    boolean valid();
}
