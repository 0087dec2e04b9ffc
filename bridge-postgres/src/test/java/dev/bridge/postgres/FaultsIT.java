package dev.bridge.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bridge.core.Append;
import dev.bridge.core.BridgeException;
import dev.bridge.core.Change;
import dev.bridge.core.Json;
import dev.bridge.core.Key;
import dev.bridge.core.VersionConflictException;
import dev.bridge.core.engine.DeliveryEngine;
import dev.bridge.core.engine.DeliveryObserver;
import dev.bridge.core.engine.DeliveryPolicy;
import dev.bridge.core.engine.EngineOptions;
import dev.bridge.core.engine.RetryPolicy;
import dev.bridge.core.engine.SinkBinding;
import dev.bridge.core.engine.SinkFilter;
import dev.bridge.core.port.Ack;
import dev.bridge.core.port.Acknowledger;
import dev.bridge.core.port.ChangeSink;
import dev.bridge.core.port.EventStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At-least-once under faults, with four writers running throughout: the listener's backend killed,
 * the consumer killed at a random point and restarted from its checkpoint, the listener stopped for
 * 30 s, PostgreSQL restarted. Every committed change must arrive at least once, in order per key.
 */
class FaultsIT {

    private static final Logger log = LoggerFactory.getLogger(FaultsIT.class);
    private static final Duration WAIT = Duration.ofSeconds(120);

    private final List<Change> delivered = new CopyOnWriteArrayList<>();
    private final AtomicBoolean writing = new AtomicBoolean(true);
    private final Random random = new Random();

    @Test
    void everyCommittedChangeArrivesInOrderPerKeyThroughEveryFault() throws Exception {
        Path data = Files.createTempDirectory("bridge-faults");
        EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).start();
        int port = pg.getPort();
        PostgresOptions options = TestPostgres.freshOptions()
                .withReconnect(Duration.ofMillis(50), Duration.ofMillis(500))
                .withLiveness(Duration.ofMillis(500), Duration.ofSeconds(2));
        BridgePostgres bridge = BridgePostgres.create(pg.getPostgresDatabase(), TestPostgres.listenerConnections(pg), options);
        bridge.schema().install();
        List<Thread> writers = new ArrayList<>();
        DeliveryEngine engine = null;
        try {
            for (int w = 0; w < 4; w++) {
                int writer = w;
                Thread t = new Thread(() -> write(bridge.eventStore(), writer), "writer-" + w);
                t.start();
                writers.add(t);
            }
            engine = startEngine(bridge);
            Thread.sleep(2_000);

            log.info("fault: the listener's backend is terminated");
            TestPostgres.execute(pg.getPostgresDatabase(), "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    + " WHERE application_name = 'bridge-listener'");
            Thread.sleep(2_000);

            log.info("fault: the consumer is killed at a random point and restarted from its checkpoint");
            Thread.sleep(random.nextInt(500));
            engine.stop(Duration.ZERO);
            engine = startEngine(bridge);
            Thread.sleep(2_000);

            log.info("fault: the listener is stopped for 30 s");
            engine.stop();
            Thread.sleep(30_000);
            engine = startEngine(bridge);
            Thread.sleep(2_000);

            log.info("fault: PostgreSQL restarts");
            pg.close();
            Thread.sleep(1_000);
            pg = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(port).start();
            Thread.sleep(3_000);

            writing.set(false);
            for (Thread t : writers) {
                t.join();
            }
            Map<String, Long> committed = committedVersions(pg, options);
            long total = committed.values().stream().mapToLong(Long::longValue).sum();
            RecordingHandler.awaitTrue(() -> firstDeliveries().size() >= total, WAIT,
                    () -> "delivered " + firstDeliveries().size() + " of " + total);

            Map<String, List<Long>> perKey = new HashMap<>();
            for (Change c : delivered) {
                perKey.computeIfAbsent(c.id(), k -> new ArrayList<>()).add(c.version());
            }
            for (Map.Entry<String, Long> key : committed.entrySet()) {
                List<Long> versions = perKey.getOrDefault(key.getKey(), List.of());
                long highest = 0;
                for (long v : versions) {
                    // A repeat restarts from an earlier version; anything new must be the next one.
                    assertThat(v).as("order of %s in %s", key.getKey(), versions).isLessThanOrEqualTo(highest + 1);
                    highest = Math.max(highest, v);
                }
                assertThat(highest).as("every committed version of %s", key.getKey()).isEqualTo(key.getValue());
            }
            long repeats = delivered.size() - firstDeliveries().size();
            log.info("{} changes committed by 4 writers, {} deliveries, {} repeats", total, delivered.size(), repeats);
            System.out.printf("FaultsIT: %d changes committed, %d delivered, %d repeats%n", total, delivered.size(), repeats);
            assertThat(total).isGreaterThan(100);
        } finally {
            writing.set(false);
            if (engine != null) {
                engine.stop(Duration.ZERO);
            }
            pg.close();
        }
    }

    private DeliveryEngine startEngine(BridgePostgres bridge) {
        ChangeSink sink = new ChangeSink() {
            @Override
            public String name() {
                return "collect";
            }

            @Override
            public void deliver(List<Change> batch, Acknowledger acks) {
                for (Change c : batch) {
                    delivered.add(c);
                    acks.ack(c, Ack.delivered());
                }
            }
        };
        DeliveryPolicy policy = new DeliveryPolicy(4, 100, Duration.ofMillis(2), 1_000, 16L << 20, Duration.ofSeconds(30),
                RetryPolicy.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 10, Duration.ofMinutes(5)));
        DeliveryEngine engine = new DeliveryEngine("faults", bridge.changeSource(), List.of(new SinkBinding(sink, SinkFilter.all(), policy)),
                bridge.checkpointStore(), bridge.deadLetterStore(), new EngineOptions(Duration.ofMillis(50), Duration.ofSeconds(5)),
                DeliveryObserver.NONE);
        engine.start();
        return engine;
    }

    private void write(EventStore store, int writer) {
        Map<Key, Long> versions = new HashMap<>();
        for (int k = 0; k < 10; k++) {
            versions.put(new Key("faults", writer + "-" + k), 0L);
        }
        while (writing.get()) {
            for (Map.Entry<Key, Long> e : versions.entrySet()) {
                try {
                    store.append(new Append(e.getKey(), e.getValue(), 1, Json.parse("{}"), Json.parse("{\"v\":" + (e.getValue() + 1) + "}")));
                    e.setValue(e.getValue() + 1);
                } catch (VersionConflictException conflict) {
                    e.setValue(conflict.actualVersion());
                } catch (BridgeException down) {
                    pause(100);
                }
            }
            pause(5);
        }
    }

    private List<String> firstDeliveries() {
        return delivered.stream().map(c -> c.id() + "@" + c.version()).distinct().toList();
    }

    private static Map<String, Long> committedVersions(EmbeddedPostgres pg, PostgresOptions options) throws Exception {
        Map<String, Long> committed = new HashMap<>();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT id, version FROM " + options.schema() + ".bridge_snaps")) {
            while (rs.next()) {
                committed.put(rs.getString(1), rs.getLong(2));
            }
        }
        return committed;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
