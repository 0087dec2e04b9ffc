package dev.bridge.core.sink.console;

import dev.bridge.core.Change;
import dev.bridge.core.ChangeJson;
import dev.bridge.core.port.Ack;
import dev.bridge.core.port.Acknowledger;
import dev.bridge.core.port.ChangeSink;
import java.io.PrintStream;
import java.util.List;
import java.util.Objects;

final class ConsoleSink implements ChangeSink {

    private final String name;
    private final PrintStream out;
    private final String target;
    private volatile boolean stopped;

    ConsoleSink(String name, PrintStream out, String target) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank, got '" + name + "'");
        }
        this.name = name;
        this.out = Objects.requireNonNull(out, "out");
        this.target = target;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void deliver(List<Change> batch, Acknowledger acks) {
        int written = 0;
        boolean failed = false;
        // Locking the stream itself keeps a batch's lines together even when other sinks share stdout.
        synchronized (out) {
            for (Change change : batch) {
                if (stopped) {
                    break;
                }
                out.writeBytes(ChangeJson.toBytes(change));
                out.write('\n');
                written++;
            }
            if (written > 0) {
                out.flush();
                failed = out.checkError();
            }
        }
        Ack outcome = failed ? Ack.retry("writing to " + target + " failed: the stream reported an error") : Ack.delivered();
        for (int i = 0; i < batch.size(); i++) {
            acks.ack(batch.get(i), i < written ? outcome : Ack.retry("sink '" + name + "' stopped before writing the change"));
        }
    }

    /** Waits for a batch being written to finish; the stream stays open. */
    @Override
    public void stop() {
        stopped = true;
        synchronized (out) {
            out.flush();
        }
    }

    @Override
    public String toString() {
        return "console sink '" + name + "' writing to " + target;
    }
}
