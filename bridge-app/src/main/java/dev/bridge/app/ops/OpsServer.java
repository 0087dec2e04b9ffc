package dev.bridge.app.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.bridge.core.BridgeException;
import dev.bridge.core.InvalidSettingException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's operations endpoint over HTTP:
 * <ul>
 *   <li>{@code GET /health/live}: 200 {@code {"status":"UP"}} while the process serves requests;</li>
 *   <li>{@code GET /health/ready}: 200 or 503 with {@code {"status":"UP"|"DOWN","checks":{...}}} from
 *       the {@link Readiness} supplier;</li>
 *   <li>{@code GET /metrics}: the {@link BridgeMetrics} scrape in the Prometheus text format.</li>
 * </ul>
 * {@code HEAD} is answered like {@code GET} without a body; other methods get 405, other paths 404.
 *
 * <p>Lifecycle: {@link #start()} once, then {@link #close()} once; it cannot be restarted.
 *
 * <p>Threading: requests are served by a few daemon threads, so a slow request or client does not
 * block the others; when all are busy and the queue is full, new connections are closed at once. The
 * readiness supplier and the scrape are called from those threads, concurrently. A failing supplier
 * or scrape yields 503 or 500, never a hung request. The methods of this class are thread-safe.
 */
public final class OpsServer implements AutoCloseable {

    static final String METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final String JSON = "application/json";
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String ALLOWED = "GET, HEAD";
    private static final int THREADS = 4;
    private static final int QUEUED = 32;

    private static final Logger log = LoggerFactory.getLogger(OpsServer.class);

    private final String host;
    private final int port;
    private final BridgeMetrics metrics;
    private final Supplier<Readiness> readiness;
    private HttpServer server;
    private ThreadPoolExecutor executor;
    private boolean closed;

    /**
     * @param host the address to listen on, e.g. {@code 0.0.0.0} or {@code 127.0.0.1}
     * @param port the port to listen on, 0 for any free port
     * @param metrics served on {@code /metrics}
     * @param readiness called on each {@code /health/ready} request, from the server's threads
     */
    public OpsServer(String host, int port, BridgeMetrics metrics, Supplier<Readiness> readiness) {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank, got '" + host + "'");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0 to 65535, got " + port);
        }
        this.host = host;
        this.port = port;
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.readiness = Objects.requireNonNull(readiness, "readiness");
    }

    /**
     * Listens and serves.
     *
     * @throws InvalidSettingException if the host is not an address of this machine
     *     ({@code bridge.ops.host}) or the port cannot be used, e.g. is taken ({@code bridge.ops.port})
     * @throws IllegalStateException if started or closed before
     */
    public synchronized void start() {
        if (server != null || closed) {
            throw new IllegalStateException("the operations endpoint was already started");
        }
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new InvalidSettingException("bridge.ops.host", "cannot be resolved: '" + host
                    + "'; set it to an address of this machine, e.g. 0.0.0.0 (all) or 127.0.0.1");
        }
        HttpServer bound;
        try {
            bound = HttpServer.create(address, 0);
        } catch (BindException e) {
            throw bindFailure(address, e);
        } catch (IOException e) {
            throw new BridgeException("could not start the operations endpoint on " + host + ":" + port + " (" + e.getMessage() + ")", e);
        }
        bound.createContext("/", this::serve);
        executor = executor();
        bound.setExecutor(executor);
        bound.start();
        server = bound;
    }

    /**
     * The port listened on (the one picked when configured as 0).
     *
     * @throws IllegalStateException if not started
     */
    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("the operations endpoint is not started");
        }
        return server.getAddress().getPort();
    }

    /** Stops listening and drops requests in progress at once. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
            server = null;
        }
    }

    private InvalidSettingException bindFailure(InetSocketAddress address, BindException e) {
        String where = host + ":" + port;
        if (!isLocal(address)) {
            return new InvalidSettingException("bridge.ops.host", "cannot be listened on: " + where + " (" + e.getMessage()
                    + "); set bridge.ops.host to an address of this machine, e.g. 0.0.0.0 (all) or 127.0.0.1");
        }
        return new InvalidSettingException("bridge.ops.port", "cannot be listened on: " + where + " (" + e.getMessage()
                + "); another process probably uses the port: set bridge.ops.port to a free port, or 0 for any");
    }

    private static boolean isLocal(InetSocketAddress address) {
        try {
            return address.getAddress().isAnyLocalAddress() || address.getAddress().isLoopbackAddress()
                    || NetworkInterface.getByInetAddress(address.getAddress()) != null;
        } catch (SocketException e) {
            return true;
        }
    }

    private static ThreadPoolExecutor executor() {
        AtomicInteger threads = new AtomicInteger();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUED), task -> {
            Thread thread = new Thread(task, "bridge-ops-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        // The server closes a connection whose exchange is rejected; it keeps serving the others.
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }

    private void serve(HttpExchange exchange) {
        try {
            Response response = respond(exchange.getRequestMethod(), exchange.getRequestURI().getPath());
            send(exchange, response);
        } catch (IOException | RuntimeException e) {
            log.debug("operations request {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
        } finally {
            exchange.close();
        }
    }

    private Response respond(String method, String path) {
        Supplier<Response> endpoint = switch (path) {
            case "/health/live" -> OpsServer::live;
            case "/health/ready" -> this::ready;
            case "/metrics" -> this::metrics;
            default -> null;
        };
        if (endpoint == null) {
            return Response.text(404, "not found; try /health/live, /health/ready or /metrics\n");
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return Response.text(405, "method not allowed; use GET or HEAD\n");
        }
        try {
            return endpoint.get();
        } catch (RuntimeException e) {
            log.warn("operations endpoint {} failed", path, e);
            return Response.text(500, "internal error; see the daemon's log\n");
        }
    }

    private static Response live() {
        return Response.json(200, "{\"status\":\"UP\"}");
    }

    private Response ready() {
        Readiness now;
        try {
            now = Objects.requireNonNull(readiness.get(), "the readiness supplier returned null");
        } catch (RuntimeException e) {
            log.warn("readiness could not be evaluated", e);
            now = new Readiness(false, Map.of("readiness", "could not be evaluated (" + e.getClass().getSimpleName() + ")"));
        }
        StringBuilder json = new StringBuilder("{\"status\":").append(now.ready() ? "\"UP\"" : "\"DOWN\"").append(",\"checks\":{");
        String separator = "";
        for (Map.Entry<String, String> check : now.checks().entrySet()) {
            json.append(separator);
            quote(json, check.getKey()).append(':');
            quote(json, check.getValue());
            separator = ",";
        }
        return Response.json(now.ready() ? 200 : 503, json.append("}}").toString());
    }

    private Response metrics() {
        return new Response(200, METRICS_CONTENT_TYPE, metrics.scrape().getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, Response response) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", response.contentType());
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        if (response.status() == 405) {
            exchange.getResponseHeaders().set("Allow", ALLOWED);
        }
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.getResponseHeaders().set("Content-Length", Integer.toString(response.body().length));
            exchange.sendResponseHeaders(response.status(), -1);
            return;
        }
        exchange.sendResponseHeaders(response.status(), response.body().length == 0 ? -1 : response.body().length);
        try (OutputStream body = exchange.getResponseBody()) {
            body.write(response.body());
        }
    }

    static StringBuilder quote(StringBuilder json, String text) {
        json.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        return json.append('"');
    }

    private record Response(int status, String contentType, byte[] body) {
        static Response json(int status, String json) {
            return new Response(status, JSON, json.getBytes(StandardCharsets.UTF_8));
        }

        static Response text(int status, String text) {
            return new Response(status, TEXT, text.getBytes(StandardCharsets.UTF_8));
        }
    }
}
