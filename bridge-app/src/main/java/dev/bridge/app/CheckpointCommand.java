package dev.bridge.app;

import static dev.bridge.app.Cli.FAILED;
import static dev.bridge.app.Cli.OK;
import static dev.bridge.app.Cli.withPostgres;

import dev.bridge.app.Cli.Common;
import dev.bridge.app.Cli.Env;
import dev.bridge.postgres.Consumers;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "checkpoint", mixinStandardHelpOptions = true,
        description = "Shows, resets or drops how far each sink of each consumer has read the change log.", subcommands = CommandLine.HelpCommand.class)
final class CheckpointCommand {
    private final Env env;

    CheckpointCommand(Env env) {
        this.env = env;
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Shows the checkpoint of every sink of every registered consumer: each sink reads the change log at its own pace.")
    int show(@Mixin Common common) {
        return withPostgres(env, common, (pg, s) -> {
            List<Consumers.Consumer> consumers = pg.consumers().list();
            for (Consumers.Consumer c : consumers) {
                env.out().printf("%s  sink=%s%s  checkpoint=%s  updated=%s  pending=%d%s%s%n", c.name(),
                        c.sink().isEmpty() ? "(all, from before per-sink checkpoints)" : c.sink(),
                        c.parts() > 1 ? "  partition=" + c.part() + "/" + c.parts() : "", c.checkpoint(), c.updatedAt(), c.pending(),
                        c.lost() == 0 ? "" : "  lost=" + c.lost() + " (pruned unread after the maximum retention, the last made " + c.lostUntil() + ")",
                        mark(c, s));
            }
            if (consumers.isEmpty()) {
                env.err().println("no consumer is registered yet; `bridge run` registers " + s.consumer());
            }
            return OK;
        });
    }

    /** Whether the row is this configuration's: its consumer, and one of its sinks. */
    private static String mark(Consumers.Consumer row, dev.bridge.app.config.BridgeSettings settings) {
        if (!row.name().equals(settings.consumer())) {
            return "";
        }
        boolean configured = settings.sinks().stream().anyMatch(k -> k.name().equals(row.sink()));
        return configured ? "  (this bridge)" : "  (this bridge's consumer, a sink it does not configure)";
    }

    @Command(name = "drop", mixinStandardHelpOptions = true,
            description = {"Unregisters a consumer, or one sink of it, that is no longer used, so that it stops holding the change log.",
                "A bridge that runs that sink again starts it behind the consumer's other sinks (at the beginning of the",
                "retained log if the consumer has no other)."})
    int drop(@Mixin Common common,
            @Option(names = "--consumer", paramLabel = "NAME", required = true, description = "The consumer to drop.") String consumer,
            @Option(names = "--sink", paramLabel = "NAME", description = "Only this sink's checkpoint.") String sink) {
        return withPostgres(env, common, (pg, s) -> {
            int dropped = pg.consumers().drop(consumer, Optional.ofNullable(sink));
            if (dropped == 0) {
                env.err().println("bridge: no " + (sink == null ? "" : "sink " + sink + " of a ") + "consumer named " + consumer
                        + "; `bridge checkpoint show` lists them");
                return FAILED;
            }
            env.out().println((sink == null ? "consumer " + consumer + " (" + dropped + " sink(s))" : "sink " + sink + " of consumer " + consumer)
                    + " dropped; it no longer holds the change log");
            return OK;
        });
    }

    @Command(name = "reset", mixinStandardHelpOptions = true,
            description = {"Moves a consumer's sinks, or one of them, back to the start of the retained change log, so they receive",
                "every retained change again. Stop the bridge first: a running one saves its own checkpoints over the reset."})
    int reset(@Mixin Common common,
            @Option(names = "--consumer", paramLabel = "NAME", description = "The consumer (default: bridge.consumer).") String consumer,
            @Option(names = "--sink", paramLabel = "NAME", description = "Only this sink (default: every sink of the consumer).") String sink) {
        return withPostgres(env, common, (pg, s) -> {
            String name = consumer == null ? s.consumer() : consumer;
            int moved = pg.consumers().reset(name, Optional.ofNullable(sink));
            if (moved == 0) {
                env.err().println("bridge: no " + (sink == null ? "" : "sink " + sink + " of a ") + "consumer named " + name
                        + "; `bridge checkpoint show` lists them");
                return FAILED;
            }
            env.out().println((sink == null ? "the " + moved + " sink(s) of consumer " + name : "sink " + sink + " of consumer " + name)
                    + " will receive every retained change again");
            return OK;
        });
    }
}
