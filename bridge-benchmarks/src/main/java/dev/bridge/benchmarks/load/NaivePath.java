package dev.bridge.benchmarks.load;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The naive LISTEN/NOTIFY path: Bridge's trigger on {@code bridge_snaps} is replaced by a plain row
 * trigger that sends the new row as JSON with {@code pg_notify}, and one thread with a dedicated
 * pgjdbc connection waits in {@code getNotifications(timeout)} and PUBLISHes each payload to Redis
 * through Lettuce without waiting for the reply (Lettuce pipelines them), counting failed publishes.
 * No log, no frames, no checkpoint: a notification whose payload exceeds 8000 bytes fails the
 * writer's statement, and whatever is sent while the thread is away is lost.
 */
final class NaivePath implements DeliveryPath {

    /** The largest NOTIFY payload PostgreSQL accepts is 7999 bytes; a row is the value plus about 100. */
    static final int MAX_VALUE_BYTES = 7_800;
    private static final long POLL_MILLIS = 250;

    private final Postgres.Endpoint postgres;
    private final String schema;
    private final String redisUri;
    private final String channel;
    private final AtomicLong failedPublishes = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final CountDownLatch listening = new CountDownLatch(1);
    private volatile boolean closed;
    private Thread relay;

    /**
     * @param schema the fresh schema; its name is also the NOTIFY channel
     * @param channel the Redis channel
     */
    NaivePath(Postgres.Endpoint postgres, String schema, String redisUri, String channel) {
        this.postgres = postgres;
        this.schema = schema;
        this.redisUri = redisUri;
        this.channel = channel;
    }

    @Override
    public void start() throws SQLException, InterruptedException {
        try (Connection c = postgres.open("bridge-load-admin"); Statement s = c.createStatement()) {
            s.execute("DROP TRIGGER bridge_capture ON " + schema + ".bridge_snaps");
            s.execute("CREATE FUNCTION " + schema + ".naive_notify() RETURNS trigger LANGUAGE plpgsql AS $fn$"
                    + " BEGIN"
                    + "   IF TG_OP = 'DELETE' THEN PERFORM pg_notify(TG_ARGV[0], row_to_json(OLD)::text);"
                    + "   ELSE PERFORM pg_notify(TG_ARGV[0], row_to_json(NEW)::text);"
                    + "   END IF;"
                    + "   RETURN NULL;"
                    + " END $fn$");
            s.execute("CREATE TRIGGER naive_notify AFTER INSERT OR UPDATE OR DELETE ON " + schema + ".bridge_snaps"
                    + " FOR EACH ROW EXECUTE FUNCTION " + schema + ".naive_notify('" + schema + "')");
        }
        relay = new Thread(this::relay, "naive-relay");
        relay.setDaemon(true);
        relay.start();
        if (!listening.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the naive relay did not start listening within 10 s", failure.get());
        }
    }

    private void relay() {
        RedisClient client = RedisClient.create(redisUri);
        try (StatefulRedisConnection<String, String> redis = client.connect();
                Connection c = postgres.open("bridge-load-naive")) {
            try (Statement s = c.createStatement()) {
                s.execute("LISTEN " + schema);
            }
            PGConnection pg = c.unwrap(PGConnection.class);
            listening.countDown();
            while (!closed) {
                PGNotification[] received = pg.getNotifications((int) POLL_MILLIS);
                if (received == null) {
                    continue;
                }
                for (PGNotification n : received) {
                    redis.async().publish(channel, n.getParameter()).exceptionally(e -> {
                        failedPublishes.incrementAndGet();
                        return null;
                    });
                }
            }
        } catch (SQLException | RuntimeException e) {
            if (!closed) {
                failure.set(e);
            }
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    @Override
    public boolean delivers() {
        return true;
    }

    /** Publishes Redis refused or that timed out; and why the relay stopped, if it stopped early. */
    String problems() {
        Throwable f = failure.get();
        long failed = failedPublishes.get();
        return (failed == 0 ? "" : failed + " publishes failed") + (f == null ? "" : (failed == 0 ? "" : "; ") + "relay stopped: " + f);
    }

    @Override
    public void close() {
        closed = true;
        if (relay != null) {
            try {
                relay.join(POLL_MILLIS * 4 + 2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
