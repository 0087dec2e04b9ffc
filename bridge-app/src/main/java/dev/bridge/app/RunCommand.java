package dev.bridge.app;

import static dev.bridge.app.Cli.OK;

import dev.bridge.app.Cli.Common;
import dev.bridge.app.Cli.Env;
import dev.bridge.app.config.BridgeSettings;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Runs the bridge until SIGTERM or Ctrl-C, then drains and saves the checkpoint.",
            "--config FILE, --debug and --embedded may also come before the command.",
            "With no bridge.postgres.host (DB_HOST) it starts an embedded PostgreSQL whose data is kept in"
                + " bridge.postgres.embedded.data-dir."})
final class RunCommand implements Callable<Integer> {
    private final Env env;

    @Mixin
    Common common;

    RunCommand(Env env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        return run(env, common.settings(env));
    }

    static int run(Env env, BridgeSettings settings) {
        Bridge bridge = Bridge.injector(settings).getInstance(Bridge.class);
        CountDownLatch stop = new CountDownLatch(1);
        Signals.onTermination(stop::countDown);
        bridge.start();
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        env.err().println("bridge: stopping (draining deliveries in flight, saving the checkpoint)");
        boolean drained = bridge.stop();
        env.err().println("bridge: stopped" + (drained ? "" : "; some deliveries were abandoned and will repeat after a restart"));
        return OK;
    }
}
