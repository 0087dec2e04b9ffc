package dev.bridge.core.sink.console;

import dev.bridge.core.port.ChangeSink;
import dev.bridge.core.port.SinkProvider;
import dev.bridge.core.settings.Settings;
import java.io.PrintStream;

/**
 * The {@code console} sink type: writes each change as one line of JSON ({@code docs/protocol.md}
 * §1) to standard output or standard error, for trying the bridge out and for piping into other
 * tools.
 *
 * <p>Settings: {@code stream}, {@code stdout} or {@code stderr} (the default, {@code stdout}, is in
 * bridge-core's reference.conf, which the daemon lays beneath the block).
 *
 * <p>Each batch is flushed before its changes are acknowledged as delivered. A {@link PrintStream}
 * hides write errors behind {@link PrintStream#checkError()}, whose flag stays set: once the stream
 * fails, every later batch is acknowledged as retry until the stream's owner clears the flag (for
 * standard output and error: until restart). Stopping never closes the stream.
 */
public final class ConsoleSinkProvider implements SinkProvider {

    /** For {@link java.util.ServiceLoader}. */
    public ConsoleSinkProvider() {
    }

    @Override
    public String type() {
        return "console";
    }

    /**
     * Takes {@link System#out} or {@link System#err} as they are now.
     *
     * @throws dev.bridge.core.InvalidSettingException if {@code stream} is missing, or neither {@code stdout} nor {@code stderr}
     */
    @Override
    public ChangeSink create(String name, Settings settings) {
        String stream = settings.requireString("stream");
        return switch (stream) {
            case "stdout" -> new ConsoleSink(name, System.out, "stdout");
            case "stderr" -> new ConsoleSink(name, System.err, "stderr");
            default -> throw settings.invalid("stream", "must be stdout or stderr, got '" + stream + "'");
        };
    }

    /**
     * A console sink writing to {@code out}, for library use and tests. The caller owns {@code out};
     * the sink never closes it.
     */
    public static ChangeSink sink(String name, PrintStream out) {
        return new ConsoleSink(name, out, "the console stream");
    }
}
