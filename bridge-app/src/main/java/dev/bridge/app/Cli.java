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
import dev.bridge.core.UsageException;
import dev.bridge.postgres.BridgePostgres;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/**
 * The command line: {@code run} (the default), {@code demo}, {@code schema}, {@code capture},
 * {@code dead-letters}, {@code checkpoint}, each a class of its own ({@link RunCommand}, …); this
 * class parses, runs and maps failures to exit codes: 0 success, 1 failure (the message says what
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
            subcommands = {RunCommand.class, DemoCommand.class, SchemaCommand.class, CaptureCommand.class, DeadLettersCommand.class,
                CheckpointCommand.class, StatusCommand.class, CommandLine.HelpCommand.class})
    static final class Root implements Callable<Integer> {
        private final Env env;

        @Mixin
        Common common;

        Root(Env env) {
            this.env = env;
        }

        @Override
        public Integer call() {
            return RunCommand.run(env, common.settings(env));
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

}
