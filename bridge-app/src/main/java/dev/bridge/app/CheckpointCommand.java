package dev.bridge.app;

import static dev.bridge.app.Cli.FAILED;
import static dev.bridge.app.Cli.OK;
import static dev.bridge.app.Cli.withPostgres;

import dev.bridge.app.Cli.Common;
import dev.bridge.app.Cli.Env;
import dev.bridge.postgres.Consumers;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "checkpoint", mixinStandardHelpOptions = true,
        description = "Shows, resets or drops how far consumers have read the change log.", subcommands = CommandLine.HelpCommand.class)
final class CheckpointCommand {
    private final Env env;

    CheckpointCommand(Env env) {
        this.env = env;
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Shows every registered consumer's checkpoint.")
    int show(@Mixin Common common) {
        return withPostgres(env, common, (pg, s) -> {
            List<Consumers.Consumer> consumers = pg.consumers().list();
            for (Consumers.Consumer c : consumers) {
                env.out().printf("%s  checkpoint=%s  updated=%s  pending=%d%s%s%n", c.name(), c.checkpoint(), c.updatedAt(), c.pending(),
                        c.lost() == 0 ? "" : "  lost=" + c.lost() + " (pruned unread after the maximum retention, the last made " + c.lostUntil() + ")",
                        c.name().equals(s.consumer()) ? "  (this bridge)" : "");
            }
            if (consumers.isEmpty()) {
                env.err().println("no consumer is registered yet; `bridge run` registers " + s.consumer());
            }
            return OK;
        });
    }

    @Command(name = "drop", mixinStandardHelpOptions = true,
            description = {"Unregisters a consumer that is no longer used, so that it stops holding the change log.",
                "A bridge that runs as that consumer again starts at the beginning of the retained log."})
    int drop(@Mixin Common common,
            @Option(names = "--consumer", paramLabel = "NAME", required = true, description = "The consumer to drop.") String consumer) {
        return withPostgres(env, common, (pg, s) -> {
            if (!pg.consumers().drop(consumer)) {
                env.err().println("bridge: no consumer named " + consumer + "; `bridge checkpoint show` lists them");
                return FAILED;
            }
            env.out().println("consumer " + consumer + " dropped; it no longer holds the change log");
            return OK;
        });
    }

    @Command(name = "reset", mixinStandardHelpOptions = true,
            description = {"Moves a consumer back to the start of the retained change log, so it receives every retained",
                "change again. Stop the bridge first: a running one saves its own checkpoint over the reset."})
    int reset(@Mixin Common common,
            @Option(names = "--consumer", paramLabel = "NAME", description = "The consumer (default: bridge.consumer).") String consumer) {
        return withPostgres(env, common, (pg, s) -> {
            String name = consumer == null ? s.consumer() : consumer;
            if (!pg.consumers().reset(name)) {
                env.err().println("bridge: no consumer named " + name + "; `bridge checkpoint show` lists them");
                return FAILED;
            }
            env.out().println("consumer " + name + " will receive every retained change again");
            return OK;
        });
    }
}
