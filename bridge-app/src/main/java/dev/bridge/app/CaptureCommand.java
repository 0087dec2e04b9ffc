package dev.bridge.app;

import static dev.bridge.app.Cli.OK;
import static dev.bridge.app.Cli.withPostgres;

import dev.bridge.app.Cli.Common;
import dev.bridge.app.Cli.Env;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "capture", mixinStandardHelpOptions = true, description = "Starts, stops or lists capturing changes of tables.",
        subcommands = CommandLine.HelpCommand.class)
final class CaptureCommand {
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
