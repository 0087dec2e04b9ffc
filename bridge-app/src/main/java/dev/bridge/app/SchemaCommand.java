package dev.bridge.app;

import static dev.bridge.app.Cli.FAILED;
import static dev.bridge.app.Cli.OK;
import static dev.bridge.app.Cli.withPostgres;

import dev.bridge.app.Cli.Common;
import dev.bridge.app.Cli.Env;
import dev.bridge.postgres.BridgeSchema;
import dev.bridge.postgres.SchemaStatus;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "schema", mixinStandardHelpOptions = true, description = "Installs or shows the Bridge schema.",
        subcommands = CommandLine.HelpCommand.class)
final class SchemaCommand {
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
