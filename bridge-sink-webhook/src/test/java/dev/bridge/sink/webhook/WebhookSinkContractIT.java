package dev.bridge.sink.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bridge.core.Change;
import dev.bridge.core.port.ChangeSink;
import dev.bridge.sink.tck.ChangeSinkContract;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** One change per request against a real HTTP server; every request's signature is checked by the receiver. */
class WebhookSinkContractIT extends ChangeSinkContract {

    static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static TestReceiver receiver;

    @BeforeAll
    static void startReceiver() {
        receiver = new TestReceiver(SECRET);
    }

    @AfterAll
    static void stopReceiver() {
        receiver.close();
    }

    @BeforeEach
    void emptyReceiver() {
        receiver.answer(r -> TestReceiver.Answer.status(204));
        receiver.clear();
    }

    @Override
    protected ChangeSink newSink(String name) {
        return WebhookSinkProvider.sink(name, options(false));
    }

    static WebhookSinkOptions options(boolean batch) {
        WebhookSinkOptions options = WebhookSinkOptions.to(receiver.url()).signedWith(SECRET)
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(2));
        return batch ? options.batched() : options;
    }

    /** The changes of the requests answered 2xx, each checked for a valid signature and an id from its seq. */
    @Override
    protected List<Change> received() {
        return receiver.received().stream()
                .filter(r -> r.signatureValid() || fail(r))
                .filter(TestReceiver.Received::accepted)
                .flatMap(r -> {
                    List<Change> changes = r.changes();
                    if (changes.size() == 1) {
                        assertThat(r.id()).isEqualTo("msg_" + changes.get(0).seq());
                    }
                    return changes.stream();
                })
                .toList();
    }

    private static boolean fail(TestReceiver.Received r) {
        throw new AssertionError("request " + r.id() + " has no valid signature: " + r.signature());
    }

    @Override
    protected boolean breakDestinationTransiently() {
        receiver.answer(r -> TestReceiver.Answer.status(503));
        return true;
    }

    @Override
    protected boolean breakDestinationPermanently() {
        receiver.answer(r -> TestReceiver.Answer.status(400).withBody("{\"error\":\"no\"}"));
        return true;
    }

    @Override
    protected void restoreDestination() {
        receiver.answer(r -> TestReceiver.Answer.status(204));
    }
}
