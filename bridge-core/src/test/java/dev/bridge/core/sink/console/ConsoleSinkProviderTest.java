package dev.bridge.core.sink.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bridge.core.Change;
import dev.bridge.core.ChangeJson;
import dev.bridge.core.InvalidSettingException;
import dev.bridge.core.Json;
import dev.bridge.core.Op;
import dev.bridge.core.port.Ack;
import dev.bridge.core.port.ChangeSink;
import dev.bridge.core.settings.MapSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ConsoleSinkProviderTest {

    private static final Change CHANGE = new Change(Op.INSERT, "orders", "42", 1, Instant.parse("2026-11-24T10:15:30.123456Z"),
            Json.parse("{\"status\":\"new\"}"), null, 7);

    private final ConsoleSinkProvider provider = new ConsoleSinkProvider();

    @Test
    void typeIsConsole() {
        assertThat(provider.type()).isEqualTo("console");
    }

    @Test
    void writesToStandardOutputWhenAsked() {
        String written = capture(System::setOut, System.out,
                () -> provider.create("out", new MapSettings("s", Map.of("stream", "stdout"))));

        assertThat(written).isEqualTo(ChangeJson.toJson(CHANGE) + "\n");
    }

    @Test
    void writesToStandardErrorWhenAsked() {
        String written = capture(System::setErr, System.err,
                () -> provider.create("err", new MapSettings("s", Map.of("stream", "stderr"))));

        assertThat(written).isEqualTo(ChangeJson.toJson(CHANGE) + "\n");
    }

    @Test
    void aBlockWithoutAStreamIsRefusedForTheDaemonLaysTheDefaultBeneath() {
        assertThatThrownBy(() -> provider.create("x", new MapSettings("bridge.sinks[0]", Map.of())))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("bridge.sinks[0].stream is required; set it in the sink's block");
    }

    @Test
    void rejectsAnyOtherStream() {
        assertThatThrownBy(() -> provider.create("x", new MapSettings("bridge.sinks[3]", Map.of("stream", "stdin"))))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("bridge.sinks[3].stream must be stdout or stderr, got 'stdin'");
    }

    @Test
    void stopLeavesTheStreamOpen() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, false, StandardCharsets.UTF_8);
        ChangeSink sink = ConsoleSinkProvider.sink("lib", out);

        sink.stop();
        out.print("still open");

        assertThat(out.checkError()).isFalse();
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("still open");
    }

    @Test
    void aBatchAfterStopIsRetriedUnwritten() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ChangeSink sink = ConsoleSinkProvider.sink("lib", new PrintStream(bytes, false, StandardCharsets.UTF_8));
        sink.stop();
        List<Ack> acks = new java.util.ArrayList<>();

        sink.deliver(List.of(CHANGE), (change, ack) -> acks.add(ack));

        assertThat(acks).containsExactly(Ack.retry("sink 'lib' stopped before writing the change"));
        assertThat(bytes.size()).isZero();
    }

    @Test
    void aStreamInErrorIsRetriedUntilItsOwnerClearsTheError() {
        PrintStream failed = new PrintStream(new ByteArrayOutputStream()) {
            {
                setError();
            }
        };
        ChangeSink sink = ConsoleSinkProvider.sink("lib", failed);
        List<Ack> acks = new java.util.ArrayList<>();

        sink.deliver(List.of(CHANGE), (change, ack) -> acks.add(ack));

        assertThat(acks)
                .containsExactly(Ack.retry("writing to the console stream failed: the stream reported an error"));
    }

    @Test
    void rejectsABlankName() {
        assertThatThrownBy(() -> ConsoleSinkProvider.sink(" ", System.out))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("name must not be blank, got ' '");
    }

    private static String capture(Consumer<PrintStream> set, PrintStream original, java.util.function.Supplier<ChangeSink> create) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ChangeSink sink;
        set.accept(new PrintStream(bytes, false, StandardCharsets.UTF_8));
        try {
            sink = create.get();
        } finally {
            set.accept(original);
        }
        List<Ack> acks = new java.util.ArrayList<>();
        sink.start();
        sink.deliver(List.of(CHANGE), (change, ack) -> acks.add(ack));
        sink.stop();
        assertThat(acks).containsExactly(Ack.delivered());
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
