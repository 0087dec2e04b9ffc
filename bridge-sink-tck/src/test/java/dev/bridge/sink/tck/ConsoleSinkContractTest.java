package dev.bridge.sink.tck;

import dev.bridge.core.Change;
import dev.bridge.core.ChangeJson;
import dev.bridge.core.port.ChangeSink;
import dev.bridge.core.sink.console.ConsoleSinkProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

class ConsoleSinkContractTest extends ChangeSinkContract {

    private final Destination destination = new Destination();
    private final ResettablePrintStream out = new ResettablePrintStream(destination);

    @Override
    protected ChangeSink newSink(String name) {
        return ConsoleSinkProvider.sink(name, out);
    }

    @Override
    protected List<Change> received() {
        String text = destination.text();
        return text.substring(0, text.lastIndexOf('\n') + 1).lines().map(ChangeJson::read).collect(Collectors.toList());
    }

    @Override
    protected boolean breakDestinationTransiently() {
        destination.broken = true;
        return true;
    }

    @Override
    protected void restoreDestination() {
        destination.broken = false;
        out.reset();
    }

    /** Collects what is written; throws, as a closed pipe would, while broken. */
    private static final class Destination extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        volatile boolean broken;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (broken) {
                throw new IOException("Broken pipe");
            }
            bytes.write(b, off, len);
        }

        String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    /** A PrintStream's error flag never clears by itself; restoring the destination clears it. */
    private static final class ResettablePrintStream extends PrintStream {
        ResettablePrintStream(OutputStream out) {
            super(out, false, StandardCharsets.UTF_8);
        }

        void reset() {
            clearError();
        }
    }
}
