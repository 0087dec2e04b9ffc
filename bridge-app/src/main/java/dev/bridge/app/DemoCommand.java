package dev.bridge.app;

import dev.bridge.app.Cli.Common;
import dev.bridge.app.Cli.Env;
import dev.bridge.app.config.BridgeSettings;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Shows the bridge at work on a throwaway embedded PostgreSQL, then stops.",
            "Writes sample changes through the event store (one large enough to cross NOTIFY in several frames)",
            "and delivers them to the configured sinks: by default the console."})
final class DemoCommand implements Callable<Integer> {
    private final Env env;

    @Mixin
    Common common;

    @Option(names = "--changes", paramLabel = "N", description = "How many changes to write (default: bridge.demo.changes).")
    Integer changes;

    DemoCommand(Env env) {
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        BridgeSettings settings = common.settings(env);
        return new DemoRun(settings, changes == null ? settings.demo().changes() : changes, env.err()).call();
    }
}
