package dev.bridge.app.config;

import dev.bridge.core.engine.DeliveryPolicy;
import dev.bridge.core.engine.SinkFilter;
import dev.bridge.core.port.SinkSettings;
import java.util.Objects;

/**
 * One entry of {@code bridge.sinks}, validated: its provider accepted {@code settings}.
 *
 * @param settings the block with its type's defaults beneath it, for the provider
 */
public record SinkSpec(String type, String name, SinkFilter filter, DeliveryPolicy policy, SinkSettings settings) {
    public SinkSpec {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(settings, "settings");
    }
}
