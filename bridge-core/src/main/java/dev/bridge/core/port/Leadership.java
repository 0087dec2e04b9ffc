package dev.bridge.core.port;

/**
 * What a {@link Coordinator} tells the process it coordinates about each partition: that it leads
 * it now, that it should hand it over, or that it has lost it. For one lease, {@link #lead} comes
 * first and then exactly one of the other two.
 */
public interface Leadership {

    /** This process leads the lease's partition: start delivering it. Should return quickly. */
    void lead(Lease lease);

    /**
     * Hand the partition over: take no more of its changes, deliver those already taken for at most
     * the engine's hand-over time (the next leader delivers the rest), save the checkpoint, and
     * return. The partition goes to another process only after this returns, so the
     * new leader starts where this one stopped. May block, within the engine's shutdown deadline.
     */
    void handOver(Lease lease);

    /**
     * The lease is lost: another process may lead the partition already. Stop delivering it at once
     * and save nothing; what was not settled is delivered again by the new leader.
     */
    void lost(Lease lease);
}
