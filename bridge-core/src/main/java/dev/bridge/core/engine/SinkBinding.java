package dev.bridge.core.engine;

import dev.bridge.core.port.ChangeSink;
import java.util.Objects;

/** A sink instance with what it receives and how it is fed. */
public record SinkBinding(ChangeSink sink, SinkFilter filter, DeliveryPolicy policy) {
    public SinkBinding {
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(policy, "policy");
    }
}
