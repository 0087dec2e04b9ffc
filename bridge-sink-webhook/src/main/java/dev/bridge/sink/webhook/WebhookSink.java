package dev.bridge.sink.webhook;

import dev.bridge.core.Change;
import dev.bridge.core.ChangeJson;
import dev.bridge.core.port.Ack;
import dev.bridge.core.port.Acknowledger;
import dev.bridge.core.port.ChangeSink;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs changes to one endpoint with the JDK's HttpClient, asynchronously and at most
 * {@code maxInFlight} requests at once. One change per request: the first change of every key goes
 * out at once, a key's next change only after the endpoint has taken the previous one, so a change
 * never arrives after an earlier change of its key that is to be retried. Batch mode: the batch in
 * one request, in order, or in several if it is larger than {@code maxRequestBytes}.
 *
 * <p>Every exchange is bounded by {@code timeout}, the response's body included, of which at most
 * {@link BoundedBody#LIMIT} bytes are read; past the deadline the request is cancelled and its
 * permit returned. A change whose JSON is larger than {@code maxRequestBytes} is never built into
 * a request: it fails with that reason.
 */
final class WebhookSink implements ChangeSink {

    private static final Logger log = LoggerFactory.getLogger(WebhookSink.class);

    private final String name;
    private final WebhookSinkOptions options;
    private final Signer signer;
    private final String where;
    private final Gate gate;
    private final Set<CompletableFuture<?>> inFlight = ConcurrentHashMap.newKeySet();
    private final Counters counters = new Counters();
    private volatile HttpClient client;
    private volatile ScheduledExecutorService deadlines;
    private final AtomicBoolean gone = new AtomicBoolean();
    private final AtomicBoolean narrowed = new AtomicBoolean();
    private volatile boolean stopped;

    WebhookSink(String name, WebhookSinkOptions options) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank, got '" + name + "'");
        }
        this.name = name;
        this.options = Objects.requireNonNull(options, "options");
        this.signer = new Signer(options.secrets());
        this.where = options.safeUrl();
        this.gate = new Gate(options.maxInFlight());
    }

    @Override
    public String name() {
        return name;
    }

    WebhookSinkOptions options() {
        return options;
    }

    /** Makes the HTTP client; connections open with the first request. */
    @Override
    public synchronized void start() {
        if (client != null) {
            throw new IllegalStateException("webhook sink '" + name + "' was started before; a sink serves one engine, once: make a"
                    + " new one for another");
        }
        AtomicInteger threads = new AtomicInteger();
        // Daemon threads that end when idle: Java 17's HttpClient cannot be closed, and a stopped sink must not keep the JVM up.
        ExecutorService executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "webhook-" + name + "-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_2)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(options.connectTimeout())
                .executor(executor);
        options.tlsCaFile().ifPresent(caFile -> builder.sslContext(trusting(caFile)));
        client = builder.build();
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "webhook-" + name + "-deadlines");
            t.setDaemon(true);
            return t;
        });
        // A cancelled deadline leaves the queue at once, with the request and body it holds.
        timer.setRemoveOnCancelPolicy(true);
        deadlines = timer;
        log.info("webhook sink '{}' posts to {} ({} secret(s), at most {} request(s) at once{})", name, where,
                options.secrets().size(), options.maxInFlight(), options.batch() ? ", batches as JSON arrays" : "");
    }

    /** TLS that trusts exactly the certificates in a PEM file. */
    private javax.net.ssl.SSLContext trusting(java.nio.file.Path caFile) {
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(caFile)) {
            java.security.KeyStore trusted = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
            trusted.load(null, null);
            int i = 0;
            for (java.security.cert.Certificate cert : java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trusted.setCertificateEntry("ca-" + i++, cert);
            }
            if (i == 0) {
                throw new java.security.GeneralSecurityException("no certificate in the file");
            }
            javax.net.ssl.TrustManagerFactory factory =
                    javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trusted);
            javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (java.io.IOException | java.security.GeneralSecurityException e) {
            throw new dev.bridge.core.BridgeException("webhook sink '" + name + "' cannot use its tls-ca-file " + caFile + " ("
                    + e.getMessage() + "); check that it is a readable PEM file of certificates", e);
        }
    }

    @Override
    public void deliver(List<Change> batch, Acknowledger acks) {
        if (batch.isEmpty()) {
            return;
        }
        if (options.batch()) {
            sendInOrder(requestsOfAtMostMaxBytes(batch), acks);
            return;
        }
        for (Change change : batch) {
            sendInOrder(new ArrayDeque<>(List.of(new Part(List.of(change), ChangeJson.size(change)))), acks);
        }
    }

    /** The changes of one request, and the bytes of its body: one change's JSON, or in batch mode a JSON array of them. */
    private record Part(List<Change> changes, long bytes) {
    }

    /** Batch mode: the changes in order, in as few requests as fit {@code maxRequestBytes}; a change too large for one is alone. */
    private ArrayDeque<Part> requestsOfAtMostMaxBytes(List<Change> batch) {
        ArrayDeque<Part> requests = new ArrayDeque<>();
        List<Change> request = new ArrayList<>();
        long bytes = 2;
        for (Change change : batch) {
            long size = ChangeJson.size(change);
            boolean alone = size + 2 > options.maxRequestBytes();
            if (!request.isEmpty() && (alone || bytes + 1 + size > options.maxRequestBytes())) {
                requests.add(new Part(request, bytes));
                request = new ArrayList<>();
                bytes = 2;
            }
            if (alone) {
                requests.add(new Part(List.of(change), size + 2));
                continue;
            }
            bytes += size + (request.isEmpty() ? 0 : 1);
            request.add(change);
        }
        if (!request.isEmpty()) {
            requests.add(new Part(request, bytes));
        }
        return requests;
    }

    private Ack tooLarge(long bytes) {
        return Ack.failed("not sent to " + where + ": the request would be " + bytes + " bytes, more than the sink's"
                + " max-request-bytes (" + options.maxRequestBytes() + "); raise it (and what the receiver accepts), then replay"
                + " the dead letter");
    }

    /**
     * Sends the first request; once the endpoint has it, the next, so that a key's changes arrive in
     * order. A request failed for good is dead-lettered and the rest move on; one to be retried holds
     * the rest back (they are retried too).
     */
    private void sendInOrder(ArrayDeque<Part> requests, Acknowledger acks) {
        Part part;
        while ((part = requests.poll()) != null && part.bytes() > options.maxRequestBytes()) {
            Ack failed = tooLarge(part.bytes());
            part.changes().forEach(c -> acks.ack(c, failed));
        }
        if (part == null) {
            return;
        }
        List<Change> sent = part.changes();
        send(sent, ack -> {
            sent.forEach(c -> acks.ack(c, ack));
            if (!(ack instanceof Ack.Retry)) {
                sendInOrder(requests, acks);
                return;
            }
            Change first = sent.get(0);
            Ack held = Ack.retry("not sent to " + where + ": the request before it, of " + first.bucket() + "/" + first.id()
                    + " (seq " + first.seq() + ")" + (sent.size() > 1 ? " and " + (sent.size() - 1) + " more" : "") + ", is to be retried");
            requests.forEach(rest -> rest.changes().forEach(c -> acks.ack(c, held)));
            requests.clear();
        });
    }

    /** Queues one request for {@code changes}; {@code done} gets its outcome exactly once. */
    private void send(List<Change> changes, Consumer<Ack> done) {
        gate.submit(new Request(changes, done));
    }

    private final class Request implements Runnable {
        private final List<Change> changes;
        private final Consumer<Ack> done;

        Request(List<Change> changes, Consumer<Ack> done) {
            this.changes = changes;
            this.done = done;
        }

        @Override
        public void run() {
            HttpClient http = client;
            if (stopped || http == null) {
                gate.release();
                abandon();
                return;
            }
            if (gone.get()) {
                gate.release();
                counters.goneDeadLettered(changes.size());
                done.accept(goneAck());
                return;
            }
            AtomicReference<BoundedBody> body = new AtomicReference<>();
            CompletableFuture<HttpResponse<byte[]>> reply;
            try {
                reply = http.sendAsync(request(changes), info -> {
                    BoundedBody b = info.statusCode() / 100 == 2 ? BoundedBody.dropped() : BoundedBody.start(Responses.BODY_EXCERPT * 4);
                    body.set(b);
                    return b;
                });
            } catch (RuntimeException e) {
                reply = CompletableFuture.failedFuture(e);
            }
            CompletableFuture<HttpResponse<byte[]>> sent = reply;
            inFlight.add(sent);
            AtomicBoolean timedOut = new AtomicBoolean();
            // The whole exchange, body included, within the timeout: a body still coming is cut, a request with no answer cancelled.
            Future<?> scheduled;
            try {
                scheduled = deadlines.schedule(() -> {
                    BoundedBody b = body.get();
                    if (b != null) {
                        b.cut();
                    } else {
                        timedOut.set(true);
                        sent.cancel(true);
                    }
                }, options.timeout().toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                scheduled = CompletableFuture.completedFuture(null);
            }
            Future<?> deadline = scheduled;
            if (stopped) {
                // stop() may have looked at the requests in flight before this one joined them.
                sent.cancel(true);
            }
            AtomicBoolean released = new AtomicBoolean();
            Runnable release = () -> {
                if (released.compareAndSet(false, true)) {
                    deadline.cancel(false);
                    inFlight.remove(sent);
                    gate.release();
                }
            };
            sent.whenComplete((response, error) -> {
                // Nothing was sent: wait in line again, now with one request fewer at once, rather than spend an attempt.
                if (error != null && !stopped && Responses.streamRefused(error) && gate.shrink()) {
                    deadline.cancel(false);
                    inFlight.remove(sent);
                    narrowed(gate.limit());
                    gate.submit(this);
                    return;
                }
                Ack ack;
                if (error != null) {
                    Throwable cause = timedOut.get()
                            ? new HttpTimeoutException("no complete answer within the sink's timeout of " + options.timeout().toMillis() + " ms")
                            : error;
                    if (stopped) {
                        ack = stoppedAck();
                    } else {
                        counters.unanswered(cause);
                        ack = Responses.ackFor(cause, where);
                    }
                } else {
                    counters.answered(response.statusCode());
                    ack = Responses.ackFor(response.statusCode(), response.headers().firstValue("Retry-After"), response.body(),
                            Instant.now(), where);
                    if (Responses.gone(response.statusCode())) {
                        // Before the permit is released, so that no request waiting for it goes out.
                        disable(changes.size());
                    }
                }
                BoundedBody b = body.get();
                if (error != null || b == null) {
                    release.run();
                } else {
                    b.ended().whenComplete((v, e) -> release.run());
                }
                done.accept(ack);
            });
        }

        void abandon() {
            done.accept(stoppedAck());
        }
    }

    private HttpRequest request(List<Change> changes) {
        byte[] body = body(changes);
        String id = webhookId(changes, body);
        long timestamp = Instant.now().getEpochSecond();
        HttpRequest.Builder request = HttpRequest.newBuilder(options.url())
                .timeout(options.timeout())
                .header("Content-Type", "application/json")
                .header("webhook-id", id)
                .header("webhook-timestamp", Long.toString(timestamp));
        if (signer.signs()) {
            request.header("webhook-signature", signer.sign(id, timestamp, body));
        }
        options.headers().forEach(request::setHeader);
        return request.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    private byte[] body(List<Change> changes) {
        if (!options.batch()) {
            return ChangeJson.toBytes(changes.get(0));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write('[');
        for (int i = 0; i < changes.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            out.writeBytes(ChangeJson.toBytes(changes.get(i)));
        }
        out.write(']');
        return out.toByteArray();
    }

    /**
     * {@code msg_<seq>} for one change: the same on every retry. A batch is named by exactly the
     * changes it holds, {@code msg_b} and a digest of their seqs in order: a batch sent again as it
     * was has the same id, and two batches with different changes never share one (the engine may
     * send a retried change with others, so receivers drop repeats by each change's {@code seq}). A
     * change that was not logged (seq 0) has no stable number, so its id comes from its content.
     */
    static String webhookId(List<Change> changes, byte[] body) {
        if (changes.stream().anyMatch(c -> c.seq() == 0)) {
            return "msg_h" + HexFormat.of().formatHex(sha256(body), 0, 16);
        }
        if (changes.size() == 1) {
            return "msg_" + changes.get(0).seq();
        }
        StringBuilder seqs = new StringBuilder();
        for (Change c : changes) {
            seqs.append(c.seq()).append(',');
        }
        return "msg_b" + HexFormat.of().formatHex(sha256(seqs.toString().getBytes(StandardCharsets.US_ASCII)), 0, 16);
    }

    private static byte[] sha256(byte[] body) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(body);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM lacks SHA-256, which every Java SE runtime has", e);
        }
    }

    private void disable(int changes) {
        if (gone.compareAndSet(false, true)) {
            log.warn("webhook sink '{}': {} answered 410 Gone; the endpoint is disabled and its changes are dead-lettered"
                    + " until the sink's configuration changes (and the bridge restarts)", name, where);
        }
        counters.goneDeadLettered(changes);
    }

    private void narrowed(int limit) {
        if (narrowed.compareAndSet(false, true)) {
            log.info("webhook sink '{}': {} allows fewer HTTP/2 streams at once than max-in-flight ({}); the sink sends fewer"
                    + " requests at once from now on", name, where, options.maxInFlight());
        }
        log.debug("webhook sink '{}': now at most {} request(s) at once", name, limit);
    }

    private Ack goneAck() {
        return Ack.failed("not sent: " + where + " answered 410 Gone earlier, so the endpoint is disabled until the sink's"
                + " configuration changes");
    }

    private Ack stoppedAck() {
        return Ack.retry("webhook sink '" + name + "' stopped before " + where + " answered");
    }

    /**
     * {@code requests}: requests that ended, each also counted in one of
     * {@code responses_2xx} … {@code responses_5xx} (by status class), {@code timeouts} (no response
     * within {@code timeout} or {@code connect-timeout}) and {@code network_errors} (no response for
     * another reason: refused or dropped connection, TLS failure); {@code gone_dead_lettered}: changes
     * dead-lettered because the endpoint answered 410 Gone, those of the answering request included.
     * Requests abandoned by {@link #stop()} count nowhere.
     */
    @Override
    public Map<String, Long> counters() {
        return counters.snapshot();
    }

    boolean disabled() {
        return gone.get();
    }

    /** Abandons queued requests and those awaiting a response; their changes are acknowledged as retry. */
    @Override
    public synchronized void stop() {
        stopped = true;
        for (Runnable waiting : gate.takeWaiting()) {
            ((Request) waiting).abandon();
        }
        for (CompletableFuture<?> open : List.copyOf(inFlight)) {
            open.cancel(true);
        }
        ScheduledExecutorService timer = deadlines;
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return "webhook sink '" + name + "' (POST to " + where + (options.batch() ? ", batched" : "") + ")";
    }
}
