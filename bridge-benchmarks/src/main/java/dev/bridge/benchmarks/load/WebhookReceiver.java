package dev.bridge.benchmarks.load;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The webhook sink's endpoint: a JDK {@link HttpServer} on 127.0.0.1 that reads each request's
 * change (one change's JSON per request, {@code docs/protocol.md} §1), checks it off in its
 * {@link Arrivals} and answers 204. Signatures are not verified. It can go down in one of the
 * {@link Outage} ways and come back on the same port.
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
    private final ExecutorService handlers;
    private volatile Outage outage;
    private HttpServer server;
    private int port;

    private WebhookReceiver(Arrivals arrivals) {
        this.arrivals = arrivals;
        AtomicInteger n = new AtomicInteger();
        this.handlers = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "webhook-receiver-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts one on a free port. */
    static WebhookReceiver start(Arrivals arrivals) {
        WebhookReceiver receiver = new WebhookReceiver(arrivals);
        receiver.listen(0);
        return receiver;
    }

    String url() {
        return "http://127.0.0.1:" + port + PATH;
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
            arrivals.arrived(ours ? head.id() : -1, ours ? head.version() : -1, now);
        }
        exchange.sendResponseHeaders(down == null ? 204 : 503, -1);
        exchange.close();
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
