package dev.bridge.benchmarks.load;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The webhook sink's endpoint: a JDK {@link HttpServer} on 127.0.0.1 that reads each request's
 * change (one change's JSON per request, {@code docs/protocol.md} §1), checks it off in its
 * {@link Arrivals} and answers 204, after a fixed delay if it was given one (the time a slow
 * receiver takes per request, spent on one of its handler threads). Signatures are not verified.
 * A sink may add a name of its own to the path ({@code /hook/a}), which the arrivals are told as
 * the sender. It can go down in one of the {@link Outage} ways and come back on the same port.
 */
final class WebhookReceiver implements AutoCloseable {

    /** How the endpoint is down. */
    enum Outage {
        /** The server is stopped: connections are refused. */
        REFUSE,
        /** Every request is answered 503, and nothing is checked off. */
        UNAVAILABLE,
        /** Requests are read and never answered, until the server comes back (then their connections are closed). */
        HANG;

        /** @param text {@code refuse}, {@code 503} or {@code hang} */
        static Outage parse(String text) {
            return switch (text.trim().toLowerCase(Locale.ROOT)) {
                case "refuse" -> REFUSE;
                case "503" -> UNAVAILABLE;
                case "hang" -> HANG;
                default -> throw new IllegalArgumentException("an outage kind is refuse, 503 or hang, got '" + text + "'");
            };
        }

        String label() {
            return this == UNAVAILABLE ? "503" : name().toLowerCase(Locale.ROOT);
        }
    }

    private static final String PATH = "/hook";
    private static final int THREADS = 8;

    private final Arrivals arrivals;
    private final long delayNanos;
    private final ExecutorService handlers;
    private volatile Outage outage;
    private HttpServer server;
    private int port;

    private WebhookReceiver(Arrivals arrivals, Duration delay, int threads) {
        if (delay.isNegative() || threads < 1) {
            throw new IllegalArgumentException("a receiver needs a delay >= 0 and a thread at least, got " + delay + " and " + threads);
        }
        this.arrivals = arrivals;
        this.delayNanos = delay.toNanos();
        AtomicInteger n = new AtomicInteger();
        this.handlers = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "webhook-receiver-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts one on a free port that answers at once, on 8 threads. */
    static WebhookReceiver start(Arrivals arrivals) {
        return start(arrivals, Duration.ZERO, THREADS);
    }

    /** Starts one on a free port that waits {@code delay} before it answers each request, on {@code threads} handler threads. */
    static WebhookReceiver start(Arrivals arrivals, Duration delay, int threads) {
        WebhookReceiver receiver = new WebhookReceiver(arrivals, delay, threads);
        receiver.listen(0);
        return receiver;
    }

    String url() {
        return "http://127.0.0.1:" + port + PATH;
    }

    /** The URL for one sender: its requests reach the arrivals with {@code sender} (letters, digits, - and _). */
    String url(String sender) {
        if (!sender.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException("a sender's name is letters, digits, - and _, got '" + sender + "'");
        }
        return url() + "/" + sender;
    }

    /** Goes down the given way; changes are not checked off until {@link #comeBack()}. */
    synchronized void goDown(Outage kind) {
        outage = kind;
        if (kind == Outage.REFUSE) {
            server.stop(0);
            server = null;
        }
    }

    /** Answers again, on the same port; returns when it does (nanoTime). */
    synchronized long comeBack() {
        if (server != null && outage == Outage.HANG) {
            server.stop(0);
            server = null;
        }
        if (server == null) {
            listen(port);
        }
        outage = null;
        return System.nanoTime();
    }

    private void listen(int onPort) {
        IOException failure = null;
        for (int attempt = 0; attempt < 50; attempt++) {
            try {
                HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 128);
                s.createContext(PATH, this::handle);
                s.setExecutor(handlers);
                s.start();
                server = s;
                port = s.getAddress().getPort();
                return;
            } catch (BindException e) {
                failure = e;
                sleep();
            } catch (IOException e) {
                throw new UncheckedIOException("the webhook receiver could not listen", e);
            }
        }
        throw new UncheckedIOException("the webhook receiver could not listen on port " + onPort + " again", failure);
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        long now = System.nanoTime();
        Outage down = outage;
        if (down == Outage.HANG) {
            return; // never answered; the connection is closed when the server comes back
        }
        if (down == null) {
            Subscriber.Head head = Subscriber.head(body);
            boolean ours = head != null && head.bucket().equals(Subscriber.BUCKET);
            arrivals.arrived(sender(exchange), ours ? head.id() : -1, ours ? head.version() : -1, now);
            long left;
            while ((left = now + delayNanos - System.nanoTime()) > 0) {
                LockSupport.parkNanos(left);
            }
        }
        exchange.sendResponseHeaders(down == null ? 204 : 503, -1);
        exchange.close();
    }

    /** What follows {@code /hook/} in the request's path; empty if nothing does. */
    private static String sender(HttpExchange exchange) {
        String path = exchange.getRequestURI().getPath();
        return path.length() > PATH.length() + 1 ? path.substring(PATH.length() + 1) : "";
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the webhook receiver waited for its port", e);
        }
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
        handlers.shutdownNow();
    }
}
