package dev.bridge.postgres;

import dev.bridge.core.port.Coordinator;
import dev.bridge.core.port.Leadership;
import dev.bridge.core.port.Membership;
import java.net.InetAddress;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@link Coordinator} with PostgreSQL alone: each process of a consumer keeps one connection of its
 * own, on which it holds a session advisory lock per partition it leads, renews the lease rows of
 * those partitions ({@code bridge_leases}) and its member row ({@code bridge_members}) every fifth
 * of the lease time. See {@link PostgresMembership} and docs/operations.md.
 */
final class PostgresCoordinator implements Coordinator {

    private final ConnectionFactory connections;
    private final PostgresOptions options;

    PostgresCoordinator(ConnectionFactory connections, PostgresOptions options) {
        this.connections = connections;
        this.options = options;
    }

    @Override
    public Membership join(String consumer, int partitions, Leadership leadership) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
        }
        PostgresMembership membership = new PostgresMembership(connections, options, consumer, partitions, leadership, memberName());
        membership.start();
        return membership;
    }

    /** "host/pid/3fa2": the host (as the container or machine names itself), the process, and a random tag. */
    static String memberName() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException | RuntimeException e) {
                host = "unknown-host";
            }
        }
        byte[] tag = new byte[2];
        ThreadLocalRandom.current().nextBytes(tag);
        return host + "/" + ProcessHandle.current().pid() + "/" + HexFormat.of().formatHex(tag);
    }
}
