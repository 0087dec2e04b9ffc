package dev.bridge.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bridge.core.Append;
import dev.bridge.core.Json;
import dev.bridge.core.Key;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ListenerResilienceIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void atMostOnceComesBackAfterItsBackendIsTerminatedAndReportsTheGap() throws InterruptedException {
        PostgresOptions options = TestPostgres.freshOptions().withReconnect(Duration.ofMillis(50), Duration.ofMillis(500))
                .withMode(DeliveryMode.AT_MOST_ONCE);
        BridgePostgres bridge = TestPostgres.bridge(options);
        bridge.schema().install();
        RecordingHandler handler = new RecordingHandler();
        try (PostgresListener listener = bridge.listen(handler)) {
            assertThat(listener.awaitListening(WAIT)).isTrue();
            int pid = listener.backendPid();

            TestPostgres.execute(TestPostgres.dataSource(), "SELECT pg_terminate_backend(" + pid + ")");

            RecordingHandler.awaitTrue(() -> listener.stats().reconnects() == 1 && !handler.gaps.isEmpty(), WAIT,
                    () -> "no reconnect: " + listener.stats());
            assertThat(listener.backendPid()).isNotEqualTo(pid);
            assertThat(handler.gaps.get(0).cause()).contains("57P01");
            // At most once: only what is committed once it listens again arrives.
            for (long v = 0; handler.changes.stream().noneMatch(c -> c.bucket().equals("after")); v++) {
                bridge.eventStore().append(new Append(new Key("after", "1"), v, 1, Json.parse("{}"), Json.parse("{}")));
                Thread.sleep(50);
            }
        }
    }

    @Test
    void comesBackAfterPostgresRestartsAndCatchesUpWithoutReportingAGap() throws IOException, InterruptedException {
        Path data = Files.createTempDirectory("bridge-restart");
        EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).start();
        int port = pg.getPort();
        PostgresOptions options = TestPostgres.freshOptions().withReconnect(Duration.ofMillis(50), Duration.ofMillis(500));
        BridgePostgres bridge = BridgePostgres.create(pg.getPostgresDatabase(), TestPostgres.listenerConnections(pg), options);
        bridge.schema().install();
        RecordingHandler handler = new RecordingHandler();
        try (PostgresListener listener = bridge.listen(handler)) {
            assertThat(listener.awaitListening(WAIT)).isTrue();

            pg.close();
            RecordingHandler.awaitTrue(() -> !listener.stats().connected(), WAIT, () -> "still connected");
            Thread.sleep(1_000);
            pg = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(port).start();

            RecordingHandler.awaitTrue(() -> listener.stats().connected(), WAIT, () -> "no reconnect");
            assertThat(handler.gaps).as("at least once: the log has everything, nothing was missed").isEmpty();
            BridgePostgres restarted = BridgePostgres.create(pg.getPostgresDatabase(), TestPostgres.listenerConnections(pg), options);
            restarted.eventStore().append(new Append(new Key("after", "restart"), 0, 1, Json.parse("{}"), Json.parse("{}")));
            handler.awaitChange(c -> c.id().equals("restart"), WAIT);
        } finally {
            pg.close();
        }
    }

    @Test
    void noticesASilentlyDeadConnectionWhileWaiting() throws IOException, InterruptedException {
        PostgresOptions options = TestPostgres.freshOptions()
                .withLiveness(Duration.ofMillis(500), Duration.ofMillis(500))
                .withReconnect(Duration.ofMillis(50), Duration.ofMillis(200));
        BridgePostgres admin = TestPostgres.bridge(options);
        admin.schema().install();
        try (FreezableProxy proxy = new FreezableProxy(TestPostgres.shared().getPort())) {
            ConnectionFactory viaProxy = ConnectionFactory.of("jdbc:postgresql://127.0.0.1:" + proxy.port() + "/postgres", "postgres", null);
            BridgePostgres bridge = BridgePostgres.create(TestPostgres.dataSource(), viaProxy, options);
            RecordingHandler handler = new RecordingHandler();
            try (PostgresListener listener = bridge.listen(handler)) {
                assertThat(listener.awaitListening(WAIT)).isTrue();

                long frozenAt = System.nanoTime();
                proxy.freezeCurrentConnections();
                RecordingHandler.awaitTrue(() -> listener.stats().reconnects() == 1, WAIT, () -> "dead connection not noticed");
                long noticedAfterMillis = (System.nanoTime() - frozenAt) / 1_000_000;

                // At most one check interval plus one check timeout, with room for a slow machine.
                assertThat(noticedAfterMillis).isLessThan(3_000);
                assertThat(handler.gaps).as("caught up from the log").isEmpty();
                admin.eventStore().append(new Append(new Key("after", "freeze"), 0, 1, Json.parse("{}"), Json.parse("{}")));
                handler.awaitChange(c -> c.id().equals("freeze"), WAIT);
            }
        }
    }
}
