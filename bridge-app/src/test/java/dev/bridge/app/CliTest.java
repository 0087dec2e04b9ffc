package dev.bridge.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CliTest {

    @TempDir
    Path dir;

    record Result(int code, String out, String err) {
    }

    static Result run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Cli.execute(args, env, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void everyCommandHasHelp() {
        List<List<String>> commands = new ArrayList<>();
        collect(new CommandLine(new Cli.Root(null), new FactoryForListing()), new ArrayList<>(), commands);
        assertThat(commands).extracting(c -> String.join(" ", c)).contains("run", "demo", "schema install", "schema status",
                "capture add", "capture remove", "dead-letters list", "dead-letters replay", "checkpoint show", "checkpoint reset");
        for (List<String> command : commands) {
            List<String> args = new ArrayList<>(command);
            args.add("--help");
            Result result = run(Map.of(), args.toArray(String[]::new));
            assertThat(result.code()).as("exit code of %s", args).isZero();
            assertThat(result.out()).as("help of %s", args).contains("Usage: bridge").contains("--help");
        }
    }

    @Test
    void optionsBeforeTheCommandMoveBehindItButStayAheadOfTheEndOfOptions() {
        assertThat(Cli.globalOptionsLast(new String[] {"--config", "f.conf", "--debug", "capture", "add", "--", "--weird"}))
                .containsExactly("capture", "add", "--config", "f.conf", "--debug", "--", "--weird");
        assertThat(Cli.globalOptionsLast(new String[] {"schema", "--config=f.conf", "status"}))
                .containsExactly("schema", "status", "--config=f.conf");
    }

    @Test
    void badUsageExitsWithTwo() {
        Result unknown = run(Map.of(), "frobnicate");
        assertThat(unknown.code()).isEqualTo(Cli.USAGE);
        assertThat(unknown.err()).contains("Unmatched argument", "frobnicate");
        assertThat(run(Map.of(), "capture", "add").code()).isEqualTo(Cli.USAGE);
        assertThat(run(Map.of(), "checkpoint", "show", "--no-such-option").code()).isEqualTo(Cli.USAGE);
    }

    @Test
    void anInvalidConfigurationExitsWithThreeListingEveryProblemWithoutAStackTrace() throws IOException {
        Path conf = dir.resolve("bad.conf");
        Files.writeString(conf, """
                bridge.ops.port = -1
                bridge.sinks = [ { type = webhook, url = "ftp://example.com", secrets = ["whsec_c2VjcmV0"] } ]
                """);
        Result result = run(Map.of(), "schema", "status", "--config", conf.toString());
        assertThat(result.code()).isEqualTo(Cli.INVALID_CONFIG);
        assertThat(result.err()).contains("the configuration has 3 problems", "bridge.ops.port (" + conf + ":1)",
                "bridge.sinks[0].url (" + conf + ":2)", "bridge.sinks[0].secrets[0] (" + conf + ":2)")
                .doesNotContain("whsec_c2VjcmV0").doesNotContain("\tat ");
        Result fromEnv = run(Map.of("BRIDGE_CONFIG", conf.toString(), "BRIDGE_OPS_PORT", "8080"), "demo");
        assertThat(fromEnv.code()).isEqualTo(Cli.INVALID_CONFIG);
        assertThat(fromEnv.err()).contains("the configuration has 2 problems", "bridge.sinks[0].url");
        Result withLogging = run(Map.of("BRIDGE_LOG_FORMAT", "yaml"), "schema", "status", "--config", conf.toString());
        assertThat(withLogging.err()).as("a logging problem does not hide the others").contains("the configuration has 4 problems",
                "bridge.log.format", "bridge.ops.port", "bridge.sinks[0].url");
    }

    @Test
    void anUnreachableDatabaseIsOneLineThatSaysWhatToCheck() {
        Result result = run(Map.of("DB_HOST", "127.0.0.1", "DB_PORT", "1", "DB_PASSWORD", "hunter22"), "schema", "status");
        assertThat(result.code()).isEqualTo(Cli.FAILED);
        assertThat(result.err().strip()).isEqualTo("bridge: could not connect to postgres at 127.0.0.1:1 (connection refused);"
                + " check bridge.postgres.host and bridge.postgres.port, or DB_HOST and DB_PORT");
        Result debug = run(Map.of("DB_HOST", "127.0.0.1", "DB_PORT", "1", "DB_PASSWORD", "hunter22"), "schema", "status", "--debug");
        assertThat(debug.err()).contains("\tat ").doesNotContain("hunter22");
    }

    private static void collect(CommandLine line, List<String> path, List<List<String>> out) {
        for (var e : line.getSubcommands().entrySet()) {
            if (e.getKey().equals("help")) {
                continue;
            }
            List<String> sub = new ArrayList<>(path);
            sub.add(e.getKey());
            if (e.getValue().getSubcommands().isEmpty() || e.getValue().getSubcommands().keySet().equals(java.util.Set.of("help"))) {
                out.add(sub);
            } else {
                out.add(sub);
                collect(e.getValue(), sub, out);
            }
        }
    }

    private static final class FactoryForListing implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            for (var c : type.getDeclaredConstructors()) {
                if (c.getParameterCount() == 1 && c.getParameterTypes()[0] == Cli.Env.class) {
                    c.setAccessible(true);
                    return type.cast(c.newInstance((Object) null));
                }
            }
            return CommandLine.defaultFactory().create(type);
        }
    }
}
