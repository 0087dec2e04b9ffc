package dev.bridge.postgres;

import java.util.List;
import java.util.Objects;

/**
 * What is installed in a Bridge schema.
 *
 * @param schema the schema's name
 * @param installedVersion the highest migration applied; 0 if Bridge is not installed
 * @param latestVersion the highest migration this version of Bridge knows
 * @param capturedTables the user tables whose changes are captured, as given to {@code capture add}
 * @param problems what is wrong and what to do about it, one sentence each: a captured table that is
 *     gone or whose trigger is missing or disabled
 * @param refusals what Bridge will not run with, one sentence each: a captured table whose owner
 *     could run code with a superuser's rights through the capture function; install and start-up fail
 */
public record SchemaStatus(String schema, int installedVersion, int latestVersion, List<String> capturedTables, List<String> problems,
        List<String> refusals) {
    public SchemaStatus {
        Objects.requireNonNull(schema, "schema");
        capturedTables = List.copyOf(capturedTables);
        problems = List.copyOf(problems);
        refusals = List.copyOf(refusals);
    }

    public boolean isInstalled() {
        return installedVersion > 0;
    }

    public boolean isUpToDate() {
        return installedVersion == latestVersion;
    }
}
