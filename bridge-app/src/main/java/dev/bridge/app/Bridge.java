package dev.bridge.app;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Stage;
import dev.bridge.app.config.BridgeSettings;
import dev.bridge.app.config.OpsSettings;
import dev.bridge.app.config.PostgresSettings;
import dev.bridge.app.ops.BridgeMetrics;
import dev.bridge.app.ops.OpsServer;
import dev.bridge.app.ops.Readiness;
import dev.bridge.core.BridgeException;
import dev.bridge.core.engine.DeliveryEngine;
import dev.bridge.core.engine.SinkBinding;
import dev.bridge.core.engine.SinkState;
import dev.bridge.core.engine.SinkStats;
import dev.bridge.core.port.Leader;
import dev.bridge.core.port.Membership;
import dev.bridge.postgres.BridgePostgres;
import dev.bridge.postgres.ListenerStats;
import dev.bridge.postgres.SchemaStatus;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running daemon: database, schema, engine and operations endpoint, started and stopped in
 * order. Made by Guice ({@link #injector}); {@link #start()} once, then {@link #stop()} once.
 */
public final class Bridge {

    private static final Logger log = LoggerFactory.getLogger(Bridge.class);

    private final PostgresSettings postgresSettings;
    private final OpsSettings opsSettings;
    private final Database database;
    private final BridgePostgres postgres;
    private final ListenerTap listener;
    private final DeliveryEngine engine;
    private final List<SinkBinding> sinks;
    private final BridgeMetrics metrics;
    private OpsServer ops;
    private volatile boolean running;
    private boolean stopped;

    @Inject
    Bridge(PostgresSettings postgresSettings, OpsSettings opsSettings, Database database, BridgePostgres postgres, ListenerTap listener,
            DeliveryEngine engine, List<SinkBinding> sinks, BridgeMetrics metrics) {
        this.postgresSettings = postgresSettings;
        this.opsSettings = opsSettings;
        this.database = database;
        this.postgres = postgres;
        this.listener = listener;
        this.engine = engine;
        this.sinks = sinks;
        this.metrics = metrics;
    }

    /** Every module the daemon needs, for validated settings. Building it opens nothing. */
    public static Injector injector(BridgeSettings settings) {
        return Guice.createInjector(Stage.PRODUCTION,
                new PostgresModule(settings.postgres()),
                new SinksModule(settings.sinks()),
                new EngineModule(settings.consumer(), settings.partitions(), settings.engine(), settings.ops()));
    }

    /**
     * Starts the database (or connects to it), installs or checks the schema, captures the
     * configured tables, starts the sinks and the engine, then the operations endpoint.
     *
     * @throws BridgeException saying what failed and what to check; whatever was started is stopped
     */
    public synchronized void start() {
        try {
            database.start();
            prepareSchema();
            metrics.bindEngine(engine::stats, sinks.stream().map(SinkBinding::sink).toList());
            metrics.bindListener(listener::stats);
            metrics.bindLeadership(engine.consumer(), engine.partitions(), engine::leading);
            engine.start();
            if (opsSettings.enabled()) {
                ops = new OpsServer(opsSettings.host(), opsSettings.port(), metrics, this::readiness);
                ops.start();
                log.info("operations endpoint on http://{}:{}/ (health/live, health/ready, metrics)", opsSettings.host(), ops.port());
            }
            running = true;
            log.info("bridge is running on {} with sinks {}", database.describe(),
                    sinks.stream().map(s -> s.sink().name()).toList());
        } catch (RuntimeException e) {
            stopped = true;
            engine.stop(java.time.Duration.ZERO);
            if (ops != null) {
                ops.close();
            }
            database.close();
            throw e;
        }
    }

    /**
     * Graceful stop: the engine drains within its shutdown deadline and saves the checkpoint; then
     * the endpoint and the database stop.
     *
     * @return whether every change taken was settled before the deadline
     */
    public synchronized boolean stop() {
        if (stopped) {
            return true;
        }
        stopped = true;
        running = false;
        boolean drained = engine.stop();
        if (ops != null) {
            ops.close();
        }
        metrics.close();
        database.close();
        return drained;
    }

    /**
     * Ready when started and not stopping, in touch with the consumer's other processes, free to lead
     * (its partition count is theirs), and, as
     * {@code bridge.ops.ready-checks} says, while it leads a partition: while every listener holds a
     * live connection ({@code listener}) and no sink is down ({@code sinks}). A process that stands
     * by is ready: it can take over. Its role and each sink's state are reported either way.
     */
    public Readiness readiness() {
        Map<String, String> checks = new LinkedHashMap<>();
        Optional<ListenerStats> stats = listener.stats();
        boolean connected = stats.map(ListenerStats::connected).orElse(false);
        java.util.Set<Integer> leading = engine.leading();
        Optional<Membership> membership = engine.membership();
        boolean inTouch = membership.map(Membership::connected).orElse(false);
        checks.put("bridge", running ? "running" : stopped ? "stopped" : "starting");
        checks.put("consumer", engine.consumer());
        checks.put("role", role(leading, membership, inTouch));
        checks.put("listener", leading.isEmpty() ? "none while standing by" : stats.isEmpty() ? "not started"
                : connected ? "connected" : "reconnecting (" + listener.connectedCount() + " connected)");
        boolean anyDown = false;
        for (SinkStats sink : engine.stats().sinks()) {
            anyDown |= sink.state() == SinkState.DOWN;
            checks.put("sink " + sink.sink(), describe(sink));
        }
        boolean leads = !leading.isEmpty();
        boolean ready = running && inTouch && membership.flatMap(Membership::problem).isEmpty() && (!leads || connected || !opsSettings.readyChecks().contains("listener"))
                && (!anyDown || !opsSettings.readyChecks().contains("sinks"));
        return new Readiness(ready, checks);
    }

    /** "leader of partition 0 of 1 (member vm/123/ab12)", "standby: partition 0 led by vm/456/cd34", "not in touch with ...". */
    private String role(java.util.Set<Integer> leading, Optional<Membership> membership, boolean inTouch) {
        if (membership.isEmpty()) {
            return "starting";
        }
        String me = membership.get().member();
        if (!inTouch) {
            return "not in touch with the other processes (member " + me + "): leads nothing until it is";
        }
        int n = engine.partitions();
        Optional<String> problem = membership.get().problem();
        if (problem.isPresent()) {
            return "leads nothing (member " + me + "): " + problem.get();
        }
        if (!leading.isEmpty()) {
            return "leader of partition" + (leading.size() == 1 ? " " : "s ") + leading.stream().map(String::valueOf)
                    .collect(java.util.stream.Collectors.joining(", ")) + " of " + n + " (member " + me + ")";
        }
        List<Leader> leaders = membership.get().leaders();
        return "standby (member " + me + "): " + (leaders.isEmpty() ? "no partition has a leader yet" : leaders.size() + " of " + n
                + " partition(s) led, partition " + leaders.get(0).partition() + " by " + leaders.get(0).member());
    }

    /** "down since 2026-12-02T05:01:02Z; 200 changes waiting, the oldest for 2m10s; 3,000 behind its checkpoint". */
    static String describe(SinkStats sink) {
        StringBuilder text = new StringBuilder(sink.state().name().toLowerCase(java.util.Locale.ROOT));
        if (sink.state() != SinkState.DELIVERING) {
            text.append(" since ").append(sink.stateSince().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        }
        text.append("; ").append(sink.buffered()).append(" change(s) waiting");
        if (!sink.oldestUnsettledAge().isZero()) {
            text.append(", the oldest for ").append(age(sink.oldestUnsettledAge()));
        }
        text.append("; ").append(sink.checkpointLag()).append(" read past its checkpoint");
        if (sink.lost() > 0) {
            text.append("; lost ").append(sink.lost()).append(" to the change log's maximum retention");
        }
        return text.toString();
    }

    /** "850ms", "12s", "2m10s", "3h05m". */
    static String age(java.time.Duration d) {
        long s = d.toSeconds();
        if (s == 0) {
            return d.toMillis() + "ms";
        }
        if (s < 60) {
            return s + "s";
        }
        return s < 3_600 ? s / 60 + "m" + String.format("%02d", s % 60) + "s" : s / 3_600 + "h" + String.format("%02d", s % 3_600 / 60) + "m";
    }

    /** The operations endpoint's port, once started and if enabled. */
    public Optional<Integer> opsPort() {
        return Optional.ofNullable(ops).map(OpsServer::port);
    }

    public DeliveryEngine engine() {
        return engine;
    }

    public BridgePostgres postgres() {
        return postgres;
    }

    Optional<ListenerStats> listenerStats() {
        return listener.stats();
    }

    private void prepareSchema() {
        if (postgresSettings.installSchema()) {
            SchemaStatus status = postgres.schema().install();
            log.info("schema {} is at version {}", status.schema(), status.installedVersion());
        } else {
            SchemaStatus status = postgres.schema().status();
            status.problems().forEach(p -> log.warn("schema {}: {}", status.schema(), p));
            if (!status.refusals().isEmpty()) {
                throw new StartupException("will not run the capture of schema " + status.schema() + ": "
                        + String.join("; ", status.refusals()));
            }
            if (!status.isUpToDate()) {
                throw new StartupException("the Bridge schema " + status.schema() + " is at version " + status.installedVersion()
                        + ", not " + status.latestVersion() + "; run `bridge schema install` or set bridge.postgres.install-schema = true");
            }
        }
        List<String> captured = postgres.capture().list();
        for (String table : postgresSettings.capture()) {
            if (!captured.contains(table)) {
                postgres.capture().add(table);
                log.info("capturing changes of table {}", table);
            }
        }
    }
}
