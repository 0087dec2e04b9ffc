package dev.bridge.app;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Stage;
import com.typesafe.config.Config;
import dev.bridge.app.config.BridgeSettings;
import dev.bridge.app.config.ConfigLoader;
import dev.bridge.app.config.InvalidConfigException;
import dev.bridge.app.config.LogSettings;
import dev.bridge.core.BridgeException;
import dev.bridge.core.DeadLetter;
import dev.bridge.core.UsageException;
import dev.bridge.core.engine.DeadLetterReplay;
import dev.bridge.core.engine.SinkBinding;
import dev.bridge.core.port.DeadLetterStore;
import dev.bridge.postgres.BridgePostgres;
import dev.bridge.postgres.BridgeSchema;
import dev.bridge.postgres.Consumers;
import dev.bridge.postgres.SchemaStatus;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParseResult;

/**
 * The command line: {@code run} (the default), {@code demo}, {@code schema}, {@code capture},
 * {@code dead-letters}, {@code checkpoint}. Exit codes: 0 success, 1 failure (the message says what
 * to check), 2 bad usage, 3 invalid configuration.
 */
public final class Cli {

    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    public static final int INVALID_CONFIG = 3;

    private Cli() {
    }

    /** Runs one command line; never throws and never exits the JVM. */
    public static int execute(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        Env context = new Env(env, new PrintWriter(out, true), new PrintWriter(err, true));
        CommandLine line = new CommandLine(new Root(context), new Factory(context));
        line.setOut(context.out).setErr(context.err);
        line.setExecutionExceptionHandler(Cli::failure);
        line.setExitCodeExceptionMapper(e -> USAGE);
        try {
            return line.execute(globalOptionsLast(args));
        } finally {
            context.out().flush();
            context.err().flush();
        }
    }

    /**
     * The options every command takes may come before the command too ({@code bridge --config F schema
     * install}); they are moved behind it, where the command that runs reads them.
     */
    static String[] globalOptionsLast(String[] args) {
        List<String> rest = new ArrayList<>();
        List<String> global = new ArrayList<>();
        List<String> positional = List.of();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--")) {
                // What follows "--" is positional; the options go before it, where they are still options.
                positional = List.of(args).subList(i, args.length);
                break;
            }
            if (arg.equals("--debug") || arg.equals("--embedded") || arg.startsWith("--config=")) {
                global.add(arg);
            } else if (arg.equals("--config") && i + 1 < args.length) {
                global.add(arg);
                global.add(args[++i]);
            } else {
                rest.add(arg);
            }
        }
        rest.addAll(global);
        rest.addAll(positional);
        return rest.toArray(String[]::new);
    }

    private static int failure(Exception e, CommandLine line, ParseResult parsed) {
        PrintWriter err = line.getErr();
        boolean debug = false;
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            debug |= p.hasMatchedOption("--debug");
        }
        int code;
        if (e instanceof InvalidConfigException) {
            err.println("bridge: " + e.getMessage());
            code = INVALID_CONFIG;
        } else if (e instanceof UsageException) {
            err.println("bridge: " + e.getMessage());
            code = USAGE;
        } else if (e instanceof BridgeException) {
            err.println("bridge: " + e.getMessage());
            code = FAILED;
        } else {
            err.println("bridge: unexpected error: " + e + (debug ? "" : " (run with --debug for the stack trace)"));
            code = FAILED;
        }
        if (debug) {
            e.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    /** What every command gets: the environment and where to print. */
    record Env(Map<String, String> variables, PrintWriter out, PrintWriter err) {
    }

    /** Makes commands, handing those that want it the {@link Env}. */
    private record Factory(Env env) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            for (Constructor<?> c : type.getDeclaredConstructors()) {
                if (c.getParameterCount() == 1 && c.getParameterTypes()[0] == Env.class) {
                    c.setAccessible(true);
                    return type.cast(c.newInstance(env));
                }
            }
            return CommandLine.defaultFactory().create(type);
        }
    }

    /** Options every command takes. */
    static final class Common {
        @Option(names = "--config", paramLabel = "FILE",
                description = "The configuration file (HOCON); default: $BRIDGE_CONFIG, else none (built-in defaults).")
        Path config;

        @Option(names = "--debug", description = "Log at DEBUG and show stack traces of errors.")
        boolean debug;

        @Option(names = "--embedded", description = "With no server configured (bridge.postgres.host, DB_HOST), act on the embedded"
                + " PostgreSQL that `run` keeps in bridge.postgres.embedded.data-dir. Only run and demo start it unasked.")
        boolean embedded;

        /** Loads and validates the configuration, setting up logging first. */
        BridgeSettings settings(Env env) {
            ClassLoader loader = Cli.class.getClassLoader();
            Optional<Path> file = Optional.ofNullable(config).or(() -> Optional.ofNullable(env.variables().get("BRIDGE_CONFIG"))
                    .filter(s -> !s.isBlank()).map(Path::of));
            Config loaded = ConfigLoader.load(file, env.variables(), System.getProperties(), loader);
            LogSettings logSettings;
            try {
                logSettings = LogSettings.from(loaded);
            } catch (InvalidConfigException e) {
                // Reported together with every other problem of the configuration (reading it reports them all), not first alone.
                BridgeSettings.load(loaded, loader);
                throw e;
            }
            Logging.configure(logSettings, debug);
            return BridgeSettings.load(loaded, loader);
        }
    }

    @Command(name = "bridge", mixinStandardHelpOptions = true, version = "Bridge 0.1.0",
            description = "Streams PostgreSQL changes to Redis and webhooks. With no command: run.",
            subcommands = {Run.class, Demo.class, SchemaCommand.class, CaptureCommand.class, DeadLettersCommand.class,
                CheckpointCommand.class, CommandLine.HelpCommand.class})
    static final class Root implements Callable<Integer> {
        private final Env env;

        @Mixin
        Common common;

        Root(Env env) {
            this.env = env;
        }

        @Override
        public Integer call() {
            return Run.run(env, common.settings(env));
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Runs the bridge until SIGTERM or Ctrl-C, then drains and saves the checkpoint.",
                "--config FILE, --debug and --embedded may also come before the command.",
                "With no bridge.postgres.host (DB_HOST) it starts an embedded PostgreSQL whose data is kept in"
                    + " bridge.postgres.embedded.data-dir."})
    static final class Run implements Callable<Integer> {
        private final Env env;

        @Mixin
        Common common;

        Run(Env env) {
            this.env = env;
        }

        @Override
        public Integer call() {
            return run(env, common.settings(env));
        }

        static int run(Env env, BridgeSettings settings) {
            Bridge bridge = Bridge.injector(settings, Cli.class.getClassLoader()).getInstance(Bridge.class);
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

    @Command(name = "demo", mixinStandardHelpOptions = true,
            description = {"Shows the bridge at work on a throwaway embedded PostgreSQL, then stops.",
                "Writes sample changes through the event store (one large enough to cross NOTIFY in several frames)",
                "and delivers them to the configured sinks: by default the console."})
    static final class Demo implements Callable<Integer> {
        private final Env env;

        @Mixin
        Common common;

        @Option(names = "--changes", paramLabel = "N", description = "How many changes to write (default: bridge.demo.changes).")
        Integer changes;

        Demo(Env env) {
            this.env = env;
        }

        @Override
        public Integer call() throws Exception {
            BridgeSettings settings = common.settings(env);
            return new DemoRun(settings, changes == null ? settings.demo().changes() : changes, env.err()).call();
        }
    }

    @Command(name = "schema", mixinStandardHelpOptions = true, description = "Installs or shows the Bridge schema.",
            subcommands = CommandLine.HelpCommand.class)
    static final class SchemaCommand {
        private final Env env;

        SchemaCommand(Env env) {
            this.env = env;
        }

        @Command(name = "install", mixinStandardHelpOptions = true,
                description = {"Installs or upgrades the Bridge schema and brings the capture triggers up to date (no DDL when they are).",
                    "Run it as the role that is to own Bridge's objects (docs/security.md)."})
        int install(@Mixin Common common,
                @Option(names = "--print-sql", description = "Print the SQL it would run, for a DBA, and change nothing.") boolean printSql) {
            return withPostgres(env, common, false, (pg, s) -> {
                if (printSql) {
                    env.out().print(pg.schema().installSql());
                    return OK;
                }
                SchemaStatus status = pg.schema().install();
                env.out().println("schema " + status.schema() + " is at version " + status.installedVersion() + " (latest)");
                status.problems().forEach(p -> env.err().println("bridge: " + p));
                return OK;
            });
        }

        @Command(name = "grant", mixinStandardHelpOptions = true,
                description = {"Grants a role what the daemon needs in the Bridge schema (read and prune the change log, keep",
                    "checkpoints and dead letters), or with --event-store what writing through the event store needs. Run it as",
                    "the schema's owner. Writers of captured tables need no grant at all."})
        int grant(@Mixin Common common, @Parameters(paramLabel = "ROLE", description = "An existing role.") String role,
                @Option(names = "--event-store", description = "Grant what an event-store writer needs instead.") boolean eventStore,
                @Option(names = "--print-sql", description = "Print the SQL it would run, for a DBA, and change nothing.") boolean printSql) {
            BridgeSchema.Grantee grantee = eventStore ? BridgeSchema.Grantee.EVENT_STORE : BridgeSchema.Grantee.DAEMON;
            return withPostgres(env, common, (pg, s) -> {
                if (printSql) {
                    env.out().print(pg.schema().grantSql(grantee, role));
                    return OK;
                }
                pg.schema().grant(grantee, role);
                env.out().println("granted role " + role + " what " + (eventStore ? "an event-store writer" : "the daemon")
                        + " needs in schema " + s.postgres().options().schema());
                return OK;
            });
        }

        @Command(name = "status", mixinStandardHelpOptions = true,
                description = "Shows the installed version, the captured tables and any problem; exit code 1 if not up to date or a problem.")
        int status(@Mixin Common common) {
            return withPostgres(env, common, false, (pg, s) -> {
                SchemaStatus status = pg.schema().status();
                env.out().println("schema:          " + status.schema());
                env.out().println("installed:       " + (status.isInstalled() ? "version " + status.installedVersion() : "no"));
                env.out().println("latest:          version " + status.latestVersion());
                env.out().println("captured tables: " + (status.capturedTables().isEmpty() ? "none" : String.join(", ", status.capturedTables())));
                status.problems().forEach(p -> env.out().println("problem:         " + p));
                status.refusals().forEach(p -> env.out().println("refused:         " + p));
                if (!status.isUpToDate()) {
                    env.err().println("bridge: the schema is not up to date; run `bridge schema install`");
                    return FAILED;
                }
                return status.problems().isEmpty() && status.refusals().isEmpty() ? OK : FAILED;
            });
        }
    }

    @Command(name = "capture", mixinStandardHelpOptions = true, description = "Starts, stops or lists capturing changes of tables.",
            subcommands = CommandLine.HelpCommand.class)
    static final class CaptureCommand {
        private final Env env;

        CaptureCommand(Env env) {
            this.env = env;
        }

        @Command(name = "add", mixinStandardHelpOptions = true,
                description = {"Captures a table's changes (it needs a primary key); its bucket is the table's name.",
                    "Needs the TRIGGER privilege on the table; its writers need no grant (docs/security.md)."})
        int add(@Mixin Common common, @Parameters(paramLabel = "TABLE", description = "e.g. orders or sales.orders") String table,
                @Option(names = "--print-sql", description = "Print the SQL it would run, for a DBA, and change nothing.") boolean printSql) {
            return withPostgres(env, common, (pg, s) -> {
                if (printSql) {
                    env.out().print(pg.capture().addSql(table));
                    return OK;
                }
                pg.capture().add(table);
                env.out().println("capturing changes of " + table);
                return OK;
            });
        }

        @Command(name = "remove", mixinStandardHelpOptions = true,
                description = "Stops capturing a table's changes (dropping its trigger needs the table's owner).")
        int remove(@Mixin Common common, @Parameters(paramLabel = "TABLE") String table,
                @Option(names = "--print-sql", description = "Print the SQL it would run, for a DBA, and change nothing.") boolean printSql) {
            return withPostgres(env, common, (pg, s) -> {
                if (printSql) {
                    env.out().print(pg.capture().removeSql(table));
                    return OK;
                }
                pg.capture().remove(table);
                env.out().println("no longer capturing changes of " + table);
                return OK;
            });
        }

        @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the captured tables.")
        int list(@Mixin Common common) {
            return withPostgres(env, common, (pg, s) -> {
                pg.capture().list().forEach(env.out()::println);
                return OK;
            });
        }
    }

    @Command(name = "dead-letters", mixinStandardHelpOptions = true,
            description = "Lists or replays the changes sinks gave up on.", subcommands = CommandLine.HelpCommand.class)
    static final class DeadLettersCommand {
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
                Injector sinks = Guice.createInjector(Stage.PRODUCTION, new SinksModule(settings.sinks(), Cli.class.getClassLoader()));
                Map<String, SinkBinding> byName = new LinkedHashMap<>();
                for (SinkBinding b : sinks.getInstance(com.google.inject.Key.get(new com.google.inject.TypeLiteral<List<SinkBinding>>() { }))) {
                    byName.put(b.sink().name(), b);
                }
                return new Replay(pg.deadLetterStore(), byName, env).run(sink, ids, Math.max(1, limit));
            });
        }
    }

    @Command(name = "checkpoint", mixinStandardHelpOptions = true,
            description = "Shows, resets or drops how far consumers have read the change log.", subcommands = CommandLine.HelpCommand.class)
    static final class CheckpointCommand {
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

    /** Runs {@code action} against the configured database, once its schema is installed; says which database first. */
    static int withPostgres(Env env, Common common, PostgresAction action) {
        return withPostgres(env, common, true, action);
    }

    /**
     * Runs {@code action} against the configured database (the embedded one only with
     * {@code --embedded}), stopping it after, and says which database it acts on first.
     */
    static int withPostgres(Env env, Common common, boolean needsSchema, PostgresAction action) {
        BridgeSettings settings = common.settings(env);
        if (settings.postgres().embedded() && !common.embedded) {
            throw new UsageException("no database is configured (bridge.postgres.host and DB_HOST are empty); pass --config FILE or set"
                    + " DB_HOST and the other DB_* variables, or add --embedded to act on the embedded PostgreSQL that `bridge run`"
                    + " keeps in " + settings.postgres().embeddedDataDir());
        }
        Injector injector = Guice.createInjector(Stage.PRODUCTION, new PostgresModule(settings.postgres()));
        try (Database database = injector.getInstance(Database.class)) {
            database.start();
            env.err().println("bridge: " + database.describe() + ", schema " + settings.postgres().options().schema()
                    + (settings.postgres().embedded() ? "" : ", as user " + settings.postgres().user()));
            BridgePostgres postgres = injector.getInstance(BridgePostgres.class);
            if (needsSchema && postgres.schema().installedVersion() == 0) {
                env.err().println("bridge: the Bridge schema " + settings.postgres().options().schema() + " is not installed in this"
                        + " database; run `bridge schema install` first (as the role that is to own it, docs/security.md)");
                return FAILED;
            }
            return action.run(postgres, settings);
        }
    }

    @FunctionalInterface
    interface PostgresAction {
        int run(BridgePostgres postgres, BridgeSettings settings);
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
