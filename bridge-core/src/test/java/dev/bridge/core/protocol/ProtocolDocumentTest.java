package dev.bridge.core.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bridge.core.Change;
import dev.bridge.core.ChangeJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/protocol.md's examples are what it says they are: every change reads, every frame example reassembles into one. */
class ProtocolDocumentTest {

    private static final Path DOC = Path.of("..", "docs", "protocol.md");

    /** The document's fenced code blocks, each as its lines, with the block's language. */
    private record Block(String language, List<String> lines) {
    }

    private static List<Block> blocks() throws IOException {
        List<Block> blocks = new ArrayList<>();
        List<String> current = null;
        String language = null;
        for (String line : Files.readAllLines(DOC)) {
            if (line.startsWith("```")) {
                if (current == null) {
                    current = new ArrayList<>();
                    language = line.substring(3).strip();
                } else {
                    blocks.add(new Block(language, current));
                    current = null;
                }
            } else if (current != null) {
                current.add(line);
            }
        }
        return blocks;
    }

    @Test
    void everyJsonExampleIsAChange() throws IOException {
        List<Block> json = blocks().stream().filter(b -> b.language().equals("json")).toList();
        assertThat(json).isNotEmpty();
        for (Block block : json) {
            Change change = ChangeJson.read(String.join("\n", block.lines()));
            assertThat(change.seq()).isPositive();
        }
    }

    @Test
    void everyFrameExampleReassemblesIntoAChange() throws IOException {
        List<Block> frameBlocks = blocks().stream()
                .filter(b -> !b.lines().isEmpty() && b.lines().stream().allMatch(l -> l.startsWith("B1") || l.startsWith("B2"))).toList();
        assertThat(frameBlocks).as("the examples of §4").hasSizeGreaterThanOrEqualTo(4);
        for (Block block : frameBlocks) {
            Reassembler reader = new Reassembler(ReassemblerOptions.defaults().withUnsignedFrames(true), GoldenVectors.signedKey(), d -> { });
            Outcome last = null;
            for (String frame : block.lines()) {
                last = reader.accept(frame);
            }
            assertThat(last).as("%s", block.lines()).isInstanceOf(Outcome.Complete.class);
            Outcome.Complete complete = (Outcome.Complete) last;
            String message = complete.payload().asString();
            // A signed message starts with its transaction's id (§2.5).
            String change = complete.version() == 2 ? message.substring(message.indexOf(':') + 1) : message;
            assertThat(ChangeJson.read(change).bucket()).isNotBlank();
            assertThat(reader.stats().rejectedTotal()).isZero();
        }
    }
}
