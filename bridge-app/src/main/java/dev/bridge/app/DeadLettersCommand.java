package dev.bridge.app;

import static dev.bridge.app.Cli.FAILED;
import static dev.bridge.app.Cli.OK;
import static dev.bridge.app.Cli.USAGE;
import static dev.bridge.app.Cli.withPostgres;

import dev.bridge.app.Cli.Common;
import dev.bridge.app.Cli.Env;
import dev.bridge.core.DeadLetter;
import dev.bridge.core.engine.DeadLetterReplay;
import dev.bridge.core.engine.SinkBinding;
import dev.bridge.core.port.DeadLetterStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "dead-letters", mixinStandardHelpOptions = true,
        description = "Lists or replays the changes sinks gave up on.", subcommands = CommandLine.HelpCommand.class)
final class DeadLettersCommand {
    private final Env env;

    DeadLettersCommand(Env env) {
        this.env = env;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists dead letters, oldest first.")
    int list(@Mixin Common common,
            @Option(names = "--sink", paramLabel = "NAME", description = "Only this sink's letters.") String sink,
            @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "At most N letters (default: ${DEFAULT-VALUE}).") int limit) {
        return withPostgres(env, common, (pg, s) -> {
            List<DeadLetter> letters = pg.deadLetterStore().list(sink, 0, Math.max(1, limit));
            for (DeadLetter l : letters) {
                env.out().printf("#%d  %s  sink=%s  %s %s/%s v%d  attempts=%d  %s%n", l.id(), l.failedAt(), l.sink(),
                        l.change().op(), l.change().bucket(), l.change().id(), l.change().version(), l.attempts(), l.reason());
            }
            long all = pg.deadLetterStore().count(sink);
            env.err().println(all == letters.size() ? all + " dead letter" + (all == 1 ? "" : "s")
                    : all + " dead letters; the first " + letters.size() + " shown (--limit N shows more)");
            return OK;
        });
    }

    @Command(name = "replay", mixinStandardHelpOptions = true,
            description = {"Delivers dead letters again, each to the sink that gave up on it, and removes those delivered.",
                "Exit code 1 if any could not be delivered (they stay)."})
    int replay(@Mixin Common common,
            @Option(names = "--sink", paramLabel = "NAME", description = "Only this sink's letters.") String sink,
            @Option(names = "--id", paramLabel = "ID", description = "Only these letters (repeatable).") List<Long> ids,
            @Option(names = "--limit", paramLabel = "N", defaultValue = "1000", description = "At most N letters (default: ${DEFAULT-VALUE}).") int limit) {
        return withPostgres(env, common, (pg, settings) -> {
            Map<String, SinkBinding> byName = new LinkedHashMap<>();
            settings.sinks().forEach(spec -> byName.put(spec.name(), new SinkBinding(spec.sink(), spec.filter(), spec.policy())));
            return new Replay(pg.deadLetterStore(), byName, env).run(sink, ids, Math.max(1, limit));
        });
    }

    /** The replay use case of core, with a line per letter. */
    private record Replay(DeadLetterStore store, Map<String, SinkBinding> sinks, Env env) {
        int run(String sink, List<Long> ids, int limit) {
            if (sink != null && !sinks.containsKey(sink)) {
                env.err().println("bridge: no sink named " + sink + " is configured (configured: " + String.join(", ", sinks.keySet())
                        + "); its dead letters, if any, can only be replayed to it");
                return USAGE;
            }
            int[] failed = {0};
            int replayed = new DeadLetterReplay(store, List.copyOf(sinks.values())).replay(Optional.ofNullable(sink),
                    ids == null ? Set.of() : Set.copyOf(ids), limit, outcome -> {
                        DeadLetter letter = outcome.letter();
                        if (outcome instanceof DeadLetterReplay.Outcome.Replayed) {
                            env.out().println("#" + letter.id() + " replayed to " + letter.sink());
                            return;
                        }
                        failed[0]++;
                        if (outcome instanceof DeadLetterReplay.Outcome.NotDelivered not) {
                            env.err().println("#" + letter.id() + " not delivered to " + letter.sink() + ": " + not.ack());
                        } else {
                            env.err().println("#" + letter.id() + " skipped: no sink named " + letter.sink() + " is configured");
                        }
                    });
            env.err().println(replayed + " replayed, " + failed[0] + " not");
            return failed[0] == 0 ? OK : FAILED;
        }
    }
}
