package dev.bridge.sink.webhook;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.bridge.core.Change;
import dev.bridge.core.ChangeJson;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A webhook receiver on 127.0.0.1 for tests: records every request, answers as told, and checks
 * each signature with its own implementation of the Standard Webhooks scheme (written from the
 * specification, not calling the sink's signer). Thread-safe.
 */
final class TestReceiver implements AutoCloseable {

    /** A request as received. {@code signatureValid}: some v1 signature matched one of the receiver's secrets. */
    record Received(String id, String timestamp, String signature, Map<String, List<String>> headers, byte[] body,
            boolean signatureValid, long receivedAtMillis, int status) {

        boolean accepted() {
            return status / 100 == 2;
        }

        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(e -> e.getValue().get(0))
                    .findFirst().orElse(null);
        }

        /** The changes of the body: one, or the elements of a JSON array. */
        List<Change> changes() {
            String text = new String(body, StandardCharsets.UTF_8);
            if (!text.startsWith("[")) {
                return List.of(ChangeJson.read(text));
            }
            List<Change> changes = new ArrayList<>();
            // Split the raw text, not a re-serialised tree, so each change reads back byte for byte.
            int depth = 0;
            int start = 1;
            boolean inString = false;
            for (int i = 1; i < text.length(); i++) {
                char c = text.charAt(i);
                if (inString) {
                    if (c == '\\') {
                        i++;
                    } else if (c == '"') {
                        inString = false;
                    }
                } else if (c == '"') {
                    inString = true;
                } else if (c == '{' || c == '[') {
                    depth++;
                } else if (c == '}' || c == ']') {
                    depth--;
                }
                boolean endOfElement = !inString && (depth == 0 && c == ',' || depth < 0);
                if (endOfElement) {
                    changes.add(ChangeJson.read(text.substring(start, i).strip()));
                    start = i + 1;
                }
            }
            return changes;
        }
    }

    /** How to answer one request; {@code endless}: after the headers, a body that never ends. */
    record Answer(int status, Map<String, String> headers, String body, Duration delay, boolean endless) {
        static Answer status(int status) {
            return new Answer(status, Map.of(), "", Duration.ZERO, false);
        }

        Answer withHeader(String name, String value) {
            Map<String, String> all = new java.util.LinkedHashMap<>(headers);
            all.put(name, value);
            return new Answer(status, all, body, delay, endless);
        }

        Answer withBody(String text) {
            return new Answer(status, headers, text, delay, endless);
        }

        Answer after(Duration wait) {
            return new Answer(status, headers, body, wait, endless);
        }

        /** The headers, then a kilobyte every 10 ms until the client goes away. */
        Answer withEndlessBody() {
            return new Answer(status, headers, body, delay, true);
        }
    }

    private volatile HttpServer server;
    private final int port;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final List<byte[]> keys;
    private final List<Received> received = new ArrayList<>();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger streaming = new AtomicInteger();
    private final AtomicInteger mostOpen = new AtomicInteger();
    private volatile Function<Received, Answer> answer = r -> Answer.status(204);

    /** @param secrets the receiver's copies of the sink's secrets, {@code whsec_...} */
    TestReceiver(String... secrets) {
        keys = keys(secrets);
        server = listen(0);
        port = server.getAddress().getPort();
    }

    private HttpServer listen(int onPort) {
        HttpServer listening;
        try {
            listening = HttpServer.create(new InetSocketAddress("127.0.0.1", onPort), 100);
        } catch (IOException e) {
            throw new IllegalStateException("could not start the test receiver on port " + onPort, e);
        }
        listening.createContext("/hook", this::handle);
        listening.setExecutor(pool);
        listening.start();
        return listening;
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + port + "/hook");
    }

    /** Closes the port and every connection: a client is refused until {@link #restart()}. */
    void shutDown() {
        server.stop(0);
    }

    /** Listens on the same port again. */
    void restart() {
        server = listen(port);
    }

    void answer(Function<Received, Answer> how) {
        this.answer = how;
    }

    synchronized List<Received> received() {
        return List.copyOf(received);
    }

    /** The changes of the requests answered 2xx, in arrival order. */
    synchronized List<Change> accepted() {
        return received.stream().filter(Received::accepted).flatMap(r -> r.changes().stream()).toList();
    }

    synchronized void clear() {
        received.clear();
        mostOpen.set(0);
    }

    int mostOpenAtOnce() {
        return mostOpen.get();
    }

    /** Answers still sending an endless body: the client has not cut them yet. */
    int streaming() {
        return streaming.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        int now = open.incrementAndGet();
        mostOpen.accumulateAndGet(now, Math::max);
        boolean counted = true;
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            var headers = exchange.getRequestHeaders();
            String id = headers.getFirst("webhook-id");
            String timestamp = headers.getFirst("webhook-timestamp");
            String signature = headers.getFirst("webhook-signature");
            Received request = new Received(id, timestamp, signature, Map.copyOf(headers), body,
                    verify(keys, id, timestamp, signature, body), System.currentTimeMillis(), 0);
            Answer reply = answer.apply(request);
            // Recorded once answered, so that a slow answer is not counted as received before it is.
            if (!reply.delay().isZero()) {
                Thread.sleep(reply.delay().toMillis());
            }
            synchronized (this) {
                received.add(new Received(request.id(), request.timestamp(), request.signature(), request.headers(), body,
                        request.signatureValid(), request.receivedAtMillis(), reply.status()));
            }
            // No longer open once the answer starts: the client may send its next request before this thread returns.
            open.decrementAndGet();
            counted = false;
            reply.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            byte[] out = reply.body().getBytes(StandardCharsets.UTF_8);
            if (reply.endless()) {
                streaming.incrementAndGet();
                try {
                    exchange.sendResponseHeaders(reply.status(), 0);
                    byte[] kilobyte = "x".repeat(1024).getBytes(StandardCharsets.US_ASCII);
                    while (!Thread.currentThread().isInterrupted()) {
                        exchange.getResponseBody().write(kilobyte);
                        exchange.getResponseBody().flush();
                        Thread.sleep(10);
                    }
                } catch (IOException gone) {
                    // The client cut the body, as it should.
                } finally {
                    streaming.decrementAndGet();
                }
                return;
            }
            exchange.sendResponseHeaders(reply.status(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                exchange.getResponseBody().write(out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (counted) {
                open.decrementAndGet();
            }
        }
    }

    /** The key bytes of {@code whsec_...} secrets. */
    static List<byte[]> keys(String... secrets) {
        List<byte[]> keys = new ArrayList<>();
        for (String secret : secrets) {
            keys.add(Base64.getDecoder().decode(secret.substring("whsec_".length())));
        }
        return keys;
    }

    /**
     * The receiver's side of the scheme, for this and the other test servers: HMAC-SHA256 over
     * id.timestamp.body, compared in constant time.
     */
    static boolean verify(List<byte[]> keys, String id, String timestamp, String header, byte[] body) {
        if (id == null || timestamp == null || header == null) {
            return false;
        }
        for (String candidate : header.split(" ")) {
            if (!candidate.startsWith("v1,")) {
                continue;
            }
            byte[] given = Base64.getDecoder().decode(candidate.substring(3));
            for (byte[] key : keys) {
                try {
                    Mac mac = Mac.getInstance("HmacSHA256");
                    mac.init(new SecretKeySpec(key, "HmacSHA256"));
                    mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
                    if (MessageDigest.isEqual(mac.doFinal(body), given)) {
                        return true;
                    }
                } catch (java.security.GeneralSecurityException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return false;
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
