package dev.bridge.app.ops;

import dev.bridge.core.BridgeException;
import dev.bridge.core.InvalidSettingException;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's operations endpoint over HTTP/1.1:
 * <ul>
 *   <li>{@code GET /health/live}: 200 {@code {"status":"UP"}} while the process serves requests;</li>
 *   <li>{@code GET /health/ready}: 200 or 503 with {@code {"status":"UP"|"DOWN","checks":{...}}} from
 *       the {@link Readiness} supplier;</li>
 *   <li>{@code GET /metrics}: the {@link BridgeMetrics} scrape in the Prometheus text format.</li>
 * </ul>
 * {@code HEAD} is answered like {@code GET} without a body; other methods get 405, other paths 404.
 * Each answer closes its connection.
 *
 * <p>Lifecycle: {@link #start()} once, then {@link #close()} once; it cannot be restarted.
 *
 * <p>Threading: one thread reads and writes every connection without blocking, so a client that is
 * idle, half-open or slow holds no thread and cannot starve the probes: a request must arrive
 * whole within {@value #REQUEST_MILLIS} ms and its answer be taken within {@value #ANSWER_MILLIS}
 * ms, and when {@value #MAX_CONNECTIONS} connections are open the one that has waited longest for
 * its request is closed to make room. The health checks are answered on that thread; a scrape, which
 * takes longer, on a worker of its own. The readiness supplier and the scrape may be called
 * concurrently with anything else. A failing supplier or scrape yields 503 or 500, never a hung
 * request. The methods of this class are thread-safe.
 */
public final class OpsServer implements AutoCloseable {

    static final String METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final String JSON = "application/json";
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String ALLOWED = "GET, HEAD";
    static final int MAX_CONNECTIONS = 128;
    /** New connections taken per turn, so that requests already in are read between them. */
    private static final int ACCEPTS_PER_TURN = 32;
    /** How long accepting pauses when the process is out of file descriptors. */
    private static final long ACCEPT_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private SelectionKey acceptKey;
    private long acceptPausedUntil;
    private long lastAcceptWarning = System.nanoTime() - TimeUnit.MINUTES.toNanos(1);
    static final int REQUEST_MILLIS = 5_000;
    static final int ANSWER_MILLIS = 10_000;
    private static final int MAX_REQUEST_BYTES = 8_192;
    /** The readiness answer's path. */
    public static final String READY_PATH = "/health/ready";

    private static final Logger log = LoggerFactory.getLogger(OpsServer.class);

    private final String host;
    private final int port;
    private final BridgeMetrics metrics;
    private final Supplier<Readiness> readiness;
    private final Queue<Runnable> fromWorkers = new ConcurrentLinkedQueue<>();
    private Selector selector;
    private ServerSocketChannel listening;
    private Thread loop;
    private ThreadPoolExecutor scrapes;
    private volatile boolean closed;

    /**
     * @param host the address to listen on, e.g. {@code 127.0.0.1} or {@code 0.0.0.0}
     * @param port the port to listen on, 0 for any free port
     * @param metrics served on {@code /metrics}
     * @param readiness called on each {@code /health/ready} request; must be quick
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
        if (listening != null || closed) {
            throw new IllegalStateException("the operations endpoint was already started");
        }
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new InvalidSettingException("bridge.ops.host", "cannot be resolved: '" + host
                    + "'; set it to an address of this machine, e.g. 127.0.0.1 (this machine only) or 0.0.0.0 (all)");
        }
        try {
            selector = Selector.open();
            listening = ServerSocketChannel.open();
            listening.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            listening.bind(address, 64);
            listening.configureBlocking(false);
            acceptKey = listening.register(selector, SelectionKey.OP_ACCEPT);
        } catch (BindException e) {
            closeQuietly();
            throw bindFailure(address, e);
        } catch (IOException e) {
            closeQuietly();
            throw new BridgeException("could not start the operations endpoint on " + host + ":" + port + " (" + e.getMessage() + ")", e);
        }
        scrapes = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(4), task -> {
            Thread thread = new Thread(task, "bridge-ops-scrape");
            thread.setDaemon(true);
            return thread;
        });
        scrapes.allowCoreThreadTimeOut(true);
        loop = new Thread(this::serve, "bridge-ops");
        loop.setDaemon(true);
        loop.start();
    }

    /**
     * The port listened on (the one picked when configured as 0).
     *
     * @throws IllegalStateException if not started
     */
    public synchronized int port() {
        if (listening == null) {
            throw new IllegalStateException("the operations endpoint is not started");
        }
        try {
            return ((InetSocketAddress) listening.getLocalAddress()).getPort();
        } catch (IOException e) {
            throw new IllegalStateException("the operations endpoint is closed", e);
        }
    }

    /** Stops listening and drops requests in progress at once. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        if (selector != null) {
            selector.wakeup();
        }
        if (loop != null) {
            try {
                loop.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (scrapes != null) {
            scrapes.shutdownNow();
        }
        closeQuietly();
    }

    private void closeQuietly() {
        try {
            if (listening != null) {
                listening.close();
            }
            if (selector != null && selector.isOpen()) {
                for (SelectionKey key : selector.keys()) {
                    key.channel().close();
                }
                selector.close();
            }
        } catch (IOException e) {
            log.debug("closing the operations endpoint", e);
        }
    }

    /** One connection: its request as it arrives, then its answer as it leaves. */
    private static final class Connection {
        final SocketChannel channel;
        final ByteBuffer request = ByteBuffer.allocate(MAX_REQUEST_BYTES);
        ByteBuffer answer;
        long deadline;

        Connection(SocketChannel channel, long now) {
            this.channel = channel;
            this.deadline = now + TimeUnit.MILLISECONDS.toNanos(REQUEST_MILLIS);
        }
    }

    private void serve() {
        LinkedHashSet<SelectionKey> waiting = new LinkedHashSet<>();
        while (!closed) {
            try {
                selector.select(250);
                long now = System.nanoTime();
                if (acceptKey.isValid() && acceptKey.interestOps() == 0 && now - acceptPausedUntil > 0) {
                    acceptKey.interestOps(SelectionKey.OP_ACCEPT);
                }
                for (Runnable done = fromWorkers.poll(); done != null; done = fromWorkers.poll()) {
                    done.run();
                }
                Iterator<SelectionKey> ready = selector.selectedKeys().iterator();
                while (ready.hasNext()) {
                    SelectionKey key = ready.next();
                    ready.remove();
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        accept(waiting, now);
                    } else if (key.isReadable()) {
                        read(key, waiting, now);
                    } else if (key.isWritable()) {
                        write(key);
                    }
                }
                for (SelectionKey key : selector.keys()) {
                    if (key.attachment() instanceof Connection c && now - c.deadline > 0) {
                        waiting.remove(key);
                        drop(key);
                    }
                }
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    log.warn("operations endpoint: {}", e.toString());
                }
            }
        }
    }

    private void accept(LinkedHashSet<SelectionKey> waiting, long now) throws IOException {
        for (int taken = 0; taken < ACCEPTS_PER_TURN; taken++) {
            SocketChannel channel;
            try {
                channel = listening.accept();
            } catch (IOException e) {
                // Out of file descriptors, most likely: pause rather than spin on a backlog that cannot be taken.
                acceptKey.interestOps(0);
                acceptPausedUntil = now + ACCEPT_PAUSE_NANOS;
                if (now - lastAcceptWarning > TimeUnit.MINUTES.toNanos(1)) {
                    lastAcceptWarning = now;
                    log.warn("operations endpoint cannot take new connections ({}); it pauses a moment each time", e.toString());
                }
                return;
            }
            if (channel == null) {
                return;
            }
            if (selector.keys().size() > MAX_CONNECTIONS) {
                // Room for the newcomer: the connection that has waited longest for its request goes.
                Iterator<SelectionKey> eldest = waiting.iterator();
                if (eldest.hasNext()) {
                    SelectionKey victim = eldest.next();
                    eldest.remove();
                    drop(victim);
                }
            }
            channel.configureBlocking(false);
            SelectionKey key = channel.register(selector, SelectionKey.OP_READ, new Connection(channel, now));
            waiting.add(key);
        }
    }

    private void read(SelectionKey key, LinkedHashSet<SelectionKey> waiting, long now) throws IOException {
        Connection c = (Connection) key.attachment();
        int n;
        try {
            n = c.channel.read(c.request);
        } catch (IOException e) {
            waiting.remove(key);
            drop(key);
            return;
        }
        if (n < 0) {
            waiting.remove(key);
            drop(key);
            return;
        }
        String head = new String(c.request.array(), 0, c.request.position(), StandardCharsets.ISO_8859_1);
        int end = head.indexOf("\r\n\r\n");
        if (end < 0) {
            if (!c.request.hasRemaining()) {
                waiting.remove(key);
                answer(key, Response.text(431, "request header too large\n"), false, now);
            }
            return;
        }
        waiting.remove(key);
        String[] line = head.substring(0, head.indexOf("\r\n")).split(" ");
        if (line.length != 3 || !line[2].startsWith("HTTP/1.")) {
            answer(key, Response.text(400, "bad request\n"), false, now);
            return;
        }
        String method = line[0];
        String path = line[1];
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        boolean head0 = method.equals("HEAD");
        if (path.equals("/metrics") && (method.equals("GET") || head0)) {
            key.interestOps(0);
            c.deadline = now + TimeUnit.MILLISECONDS.toNanos(ANSWER_MILLIS);
            try {
                scrapes.execute(() -> {
                    Response r = respond(method, "/metrics");
                    fromWorkers.add(() -> answer(key, r, head0, System.nanoTime()));
                    selector.wakeup();
                });
            } catch (RejectedExecutionException e) {
                answer(key, Response.text(503, "busy; scrape again shortly\n"), head0, now);
            }
            return;
        }
        answer(key, respond(method, path), head0, now);
    }

    private void answer(SelectionKey key, Response response, boolean headOnly, long now) {
        if (!key.isValid()) {
            return;
        }
        Connection c = (Connection) key.attachment();
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(response.status()).append(' ').append(reason(response.status()))
                .append("\r\nContent-Type: ").append(response.contentType())
                .append("\r\nContent-Length: ").append(response.body().length)
                .append("\r\nCache-Control: no-store\r\nConnection: close\r\n");
        if (response.status() == 405) {
            head.append("Allow: ").append(ALLOWED).append("\r\n");
        }
        byte[] top = head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer out = ByteBuffer.allocate(top.length + (headOnly ? 0 : response.body().length));
        out.put(top);
        if (!headOnly) {
            out.put(response.body());
        }
        c.answer = out.flip();
        c.deadline = now + TimeUnit.MILLISECONDS.toNanos(ANSWER_MILLIS);
        key.interestOps(SelectionKey.OP_WRITE);
        write(key);
    }

    private void write(SelectionKey key) {
        Connection c = (Connection) key.attachment();
        try {
            c.channel.write(c.answer);
            if (!c.answer.hasRemaining()) {
                drop(key);
            }
        } catch (IOException e) {
            drop(key);
        }
    }

    private static void drop(SelectionKey key) {
        key.cancel();
        try {
            key.channel().close();
        } catch (IOException e) {
            log.debug("closing an operations connection", e);
        }
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            default -> "Service Unavailable";
        };
    }

    private InvalidSettingException bindFailure(InetSocketAddress address, BindException e) {
        String where = host + ":" + port;
        if (!isLocal(address)) {
            return new InvalidSettingException("bridge.ops.host", "cannot be listened on: " + where + " (" + e.getMessage()
                    + "); set bridge.ops.host to an address of this machine, e.g. 127.0.0.1 (this machine only) or 0.0.0.0 (all)");
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

    private Response respond(String method, String path) {
        Supplier<Response> endpoint = switch (path) {
            case "/health/live" -> OpsServer::live;
            case READY_PATH -> this::ready;
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
