package dev.bridge.app;

import dev.bridge.app.config.BridgeSettings;
import dev.bridge.app.config.OpsSettings;
import dev.bridge.app.config.PostgresSettings;
import dev.bridge.core.Append;
import dev.bridge.core.Json;
import dev.bridge.core.Key;
import dev.bridge.core.engine.EngineStats;
import dev.bridge.core.engine.SinkStats;
import dev.bridge.core.port.EventStore;
import dev.bridge.postgres.DeliveryMode;
import dev.bridge.postgres.ListenerStats;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * The demo: a throwaway embedded PostgreSQL, sample changes written through the event store, every
 * one delivered to the configured sinks, and a summary on standard error.
 */
final class DemoRun implements Callable<Integer> {

    private static final long WAIT_MILLIS = 60_000;

    private final BridgeSettings settings;
    private final int changes;
    private final PrintWriter err;
    private final Map<Key, Long> versions = new HashMap<>();

    DemoRun(BridgeSettings settings, int changes, PrintWriter err) {
        if (changes < 1) {
            throw new IllegalArgumentException("--changes must be at least 1, got " + changes);
        }
        this.settings = settings;
        this.changes = changes;
        this.err = err;
    }

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("bridge-demo-");
        int large = settings.demo().largeChangeBytes();
        PostgresSettings postgres = settings.postgres().withEmbeddedDataDir(dir.resolve("postgres"));
        // Notifications only: every change, the large one too, crosses NOTIFY in frames and is reassembled.
        postgres = postgres.withOptions(postgres.options().withMode(DeliveryMode.AT_MOST_ONCE));
        OpsSettings ops = settings.ops().withPort(0);
        BridgeSettings demo = new BridgeSettings(settings.consumer(), settings.partitions(), settings.engine(), postgres, settings.sinks(), ops, settings.demo());
        Bridge bridge = Bridge.injector(demo).getInstance(Bridge.class);
        try {
            err.println("demo: starting an embedded PostgreSQL in " + dir + " (removed afterwards)");
            bridge.start();
            awaitListening(bridge);
            err.println("demo: writing " + changes + " changes through the event store; the sinks print or send them as they arrive");
            write(bridge.postgres().eventStore(), large);
            boolean settled = awaitSettled(bridge);
            summary(bridge, settled, large);
            return settled ? Cli.OK : Cli.FAILED;
        } finally {
            bridge.stop();
            delete(dir);
        }
    }

    private void write(EventStore store, int large) throws InterruptedException {
        int largeAt = Math.min(4, changes - 1);
        for (int i = 0; i < changes; i++) {
            if (i == largeAt) {
                upsert(store, new Key("customers", "c-2"), Map.of("name", "Ada", "notes", notes(large)));
            } else {
                sample(store, i);
            }
            Thread.sleep(50);
        }
    }

    private void sample(EventStore store, int i) {
        switch (i) {
            case 0 -> upsert(store, new Key("customers", "c-1"), Map.of("name", "Grace", "email", "grace@example.com"));
            case 1 -> upsert(store, new Key("orders", "o-1001"), order("c-1", 42.50, "placed"));
            case 2 -> upsert(store, new Key("orders", "o-1002"), order("c-2", 7.25, "placed"));
            case 3 -> upsert(store, new Key("orders", "o-1001"), order("c-1", 42.50, "paid"));
            case 5 -> upsert(store, new Key("orders", "o-1003"), order("c-1", 99.00, "placed"));
            case 6 -> upsert(store, new Key("orders", "o-1001"), order("c-1", 42.50, "shipped"));
            case 7 -> delete(store, new Key("orders", "o-1003"));
            case 8 -> upsert(store, new Key("customers", "c-1"), Map.of("name", "Grace", "email", "grace@example.org"));
            default -> upsert(store, new Key("orders", "o-" + (1000 + i)), order(i % 2 == 0 ? "c-1" : "c-2", i * 1.5, "placed"));
        }
    }

    private void upsert(EventStore store, Key key, Map<String, Object> state) {
        long version = versions.getOrDefault(key, 0L);
        Json json = Json.of(state);
        store.append(new Append(key, version, 1, json, json));
        versions.put(key, version + 1);
    }

    private void delete(EventStore store, Key key) {
        store.delete(key, versions.getOrDefault(key, 0L));
        versions.remove(key);
    }

    private static Map<String, Object> order(String customer, double total, String status) {
        Map<String, Object> order = new LinkedHashMap<>();
        order.put("customer", customer);
        order.put("total", total);
        order.put("status", status);
        return order;
    }

    private static String notes(int bytes) {
        String unit = "Große Änderung, split across frames — ";
        int unitBytes = unit.getBytes(StandardCharsets.UTF_8).length;
        StringBuilder text = new StringBuilder(bytes);
        for (int size = 0; size < bytes; ) {
            if (bytes - size >= unitBytes) {
                text.append(unit);
                size += unitBytes;
            } else {
                text.append('.');
                size++;
            }
        }
        return text.toString();
    }

    private static void awaitListening(Bridge bridge) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (!bridge.listenerStats().map(ListenerStats::connected).orElse(false) && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
    }

    private boolean awaitSettled(Bridge bridge) throws InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            EngineStats stats = bridge.engine().stats();
            if (stats.received() >= changes && stats.sinks().stream().allMatch(s -> s.buffered() == 0)) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    private void summary(Bridge bridge, boolean settled, int large) {
        EngineStats stats = bridge.engine().stats();
        err.println("demo: " + changes + " changes written, " + stats.received() + " received by the bridge"
                + (settled ? "" : " — not all were settled within " + WAIT_MILLIS / 1000 + " s"));
        for (SinkStats s : stats.sinks()) {
            err.println("demo:   sink " + s.sink() + ": " + s.delivered() + " delivered, " + s.retried() + " retried, "
                    + s.deadLettered() + " dead-lettered");
        }
        bridge.listenerStats().ifPresent(l -> err.println("demo: " + l.notifications() + " NOTIFY frames carried "
                + l.reassembly().completed() + " changes; the " + large + "-byte change took " + (l.notifications() - changes + 1)
                + " frames of at most " + settings.postgres().options().maxFrameBytes() + " bytes and was reassembled"));
        err.println("demo: this demo runs in at-most-once mode to show the frames; `bridge run` defaults to at-least-once,"
                + " which also logs every change so nothing is lost while the bridge is away");
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // A leftover temporary directory is harmless.
        }
    }
}
