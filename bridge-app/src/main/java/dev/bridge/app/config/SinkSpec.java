package dev.bridge.app.config;

import dev.bridge.core.engine.DeliveryPolicy;
import dev.bridge.core.engine.SinkFilter;
import dev.bridge.core.port.ChangeSink;
import dev.bridge.core.settings.Settings;
import java.util.Objects;

/**
 * One entry of {@code bridge.sinks}, validated: its provider accepted {@code settings} and made
 * {@code sink} from them, unstarted. A sink is started and stopped once: each run of the daemon or
 * of a command reads the configuration anew.
 *
 * @param settings the block with its type's defaults beneath it, as the provider read it
 */
public record SinkSpec(String type, String name, SinkFilter filter, DeliveryPolicy policy, Settings settings, ChangeSink sink) {
    public SinkSpec {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(sink, "sink");
    }
}
