package dev.bridge.sink.webhook;

import dev.bridge.core.port.ChangeSink;

/** The contract again with batch = true: each batch is one request with a JSON array. */
class WebhookBatchSinkContractIT extends WebhookSinkContractIT {

    @Override
    protected ChangeSink newSink(String name) {
        return WebhookSinkProvider.sink(name, options(true));
    }
}
