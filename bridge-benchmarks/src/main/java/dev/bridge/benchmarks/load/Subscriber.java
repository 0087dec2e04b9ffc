package dev.bridge.benchmarks.load;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The measuring end: a Redis connection of its own, subscribed to one channel, that checks each
 * message off in the {@link Ledger} at the moment it arrives. A message is a change's JSON (Bridge)
 * or a row's (the naive path); either way {@code bucket}, {@code id} and {@code version} come before
 * the large values, so only the head is read. Changes of the {@link #PROBE} bucket only show that
 * the path delivers.
 */
final class Subscriber implements AutoCloseable {

    static final String BUCKET = "load";
    static final String PROBE = "probe";
    private static final JsonFactory JSON = new JsonFactory();

    private final RedisClient client;
    private final StatefulRedisPubSubConnection<byte[], byte[]> connection;
    private final AtomicLong probes = new AtomicLong();
    private final AtomicLong unreadable = new AtomicLong();
    private volatile Arrivals ledger;

    Subscriber(String uri, String channel) {
        client = RedisClient.create(uri);
        connection = client.connectPubSub(ByteArrayCodec.INSTANCE);
        connection.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(byte[] ch, byte[] message) {
                arrived(message, System.nanoTime());
            }
        });
        connection.sync().subscribe(channel.getBytes(StandardCharsets.UTF_8));
    }

    /** Checks changes of the {@link #BUCKET} off in {@code value} from now on. */
    void checkInto(Arrivals value) {
        this.ledger = value;
    }

    /**
     * Runs {@code probe}, which should make the path deliver a change of the {@link #PROBE} bucket,
     * every 100 ms until such a change arrives.
     *
     * @return false if none arrived within {@code timeout}
     */
    boolean awaitProbe(Runnable probe, Duration timeout) throws InterruptedException {
        long until = System.nanoTime() + timeout.toNanos();
        long before = probes.get();
        while (System.nanoTime() < until) {
            probe.run();
            for (int i = 0; i < 10; i++) {
                if (probes.get() > before) {
                    return true;
                }
                Thread.sleep(10);
            }
        }
        return false;
    }

    /** Messages that were not JSON with a bucket, id and version. */
    long unreadable() {
        return unreadable.get();
    }

    private void arrived(byte[] message, long nanos) {
        Head head = head(message);
        if (head == null) {
            unreadable.incrementAndGet();
        } else if (head.bucket().equals(PROBE)) {
            probes.incrementAndGet();
        } else if (ledger != null) {
            ledger.arrived(head.bucket().equals(BUCKET) ? head.id() : -1, head.version(), nanos);
        }
    }

    /** The bucket, the id as a number (-1 if it is not one) and the version of a change or row; null if absent. */
    static Head head(byte[] json) {
        String bucket = null;
        long id = Long.MIN_VALUE;
        long version = -1;
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "bucket" -> bucket = p.getText();
                    case "id" -> id = idNumber(p.getText());
                    case "version" -> version = value == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : -1;
                    default -> p.skipChildren();
                }
                if (bucket != null && id != Long.MIN_VALUE && version >= 0) {
                    return new Head(bucket, id, version);
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    private static long idNumber(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    record Head(String bucket, long id, long version) {
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
