package dev.bridge.core.port;

import java.util.List;
import java.util.Set;

/** One process's place among those of a consumer, from {@link Coordinator#join}. Thread-safe. */
public interface Membership extends AutoCloseable {

    /** The name this process is known by to the others. */
    String member();

    /**
     * Whether this process is in touch with the others now (through the coordinator's store): a
     * standby that is not cannot take over.
     */
    boolean connected();

    /**
     * What keeps this process from leading any partition, beyond the others leading them: another
     * partition count than the longest-running process's, say. Empty when nothing does.
     */
    default java.util.Optional<String> problem() {
        return java.util.Optional.empty();
    }

    /** The partitions this process leads now. */
    Set<Integer> leading();

    /** Who leads each partition that has a leader, as last seen; partitions without one are absent. */
    List<Leader> leaders();

    /** Hands over every partition this process leads ({@link Leadership#handOver}), then leaves; idempotent. */
    @Override
    void close();
}
