package dev.bridge.sink.webhook;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body read only as far as the sink needs: its first {@code keep} bytes are kept (the
 * start of a refusal, for the dead letter's reason), and after {@code limit} bytes in all, or when
 * {@link #cut()} at the request's deadline, the rest is not read: the stream is cancelled, which
 * closes its connection. A body that ends sooner leaves the connection to be used again. So an
 * endpoint that sends a huge or endless body cannot hold a request, its permit or the heap.
 */
final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {

    /** How much of any body is read before the connection is cut, in bytes. */
    static final int LIMIT = 64 << 10;

    private final int keep;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final CompletableFuture<byte[]> body = new CompletableFuture<>();
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private volatile Flow.Subscription subscription;
    private long read;

    private BoundedBody(int keep, boolean early) {
        this.keep = keep;
        if (early) {
            body.complete(new byte[0]);
        }
    }

    /** For a 2xx: the response is complete with its headers; the body is read (to keep the connection) and dropped. */
    static BoundedBody dropped() {
        return new BoundedBody(0, true);
    }

    /** For a refusal: its first {@code keep} bytes, once the body has ended or been cut. */
    static BoundedBody start(int keep) {
        return new BoundedBody(keep, false);
    }

    @Override
    public CompletionStage<byte[]> getBody() {
        return body;
    }

    /** Completes when the body has ended, failed or been cut: the request no longer uses its connection. */
    CompletionStage<Void> ended() {
        return ended;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (ended.isDone()) {
            s.cancel();
        } else {
            s.request(Long.MAX_VALUE);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        synchronized (kept) {
            for (ByteBuffer buffer : buffers) {
                read += buffer.remaining();
                int take = Math.min(buffer.remaining(), keep - kept.size());
                if (take > 0) {
                    byte[] bytes = new byte[take];
                    buffer.get(bytes);
                    kept.write(bytes, 0, take);
                }
            }
        }
        if (read > LIMIT) {
            cut();
        }
    }

    @Override
    public void onError(Throwable error) {
        body.completeExceptionally(error);
        ended.complete(null);
    }

    @Override
    public void onComplete() {
        finish();
    }

    /** Stops reading: the body so far is all there is (completed first, as cancelling may report an error). */
    void cut() {
        finish();
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }

    private void finish() {
        synchronized (kept) {
            body.complete(kept.toByteArray());
        }
        ended.complete(null);
    }
}
