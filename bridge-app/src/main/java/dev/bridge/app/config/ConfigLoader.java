package dev.bridge.app.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Reads the configuration in layers, each overriding the ones after it: {@code BRIDGE_*}
 * environment variables; the original design's {@code DB_*} variables; {@code -Dbridge.*} system
 * properties; the user's file; every {@code reference.conf} on the class path.
 */
public final class ConfigLoader {

    /** The original design's connection variables, and the keys they set. */
    static final Map<String, String> DB_VARIABLES = Map.of(
            "DB_HOST", "bridge.postgres.host",
            "DB_PORT", "bridge.postgres.port",
            "DB_DATABASE", "bridge.postgres.database",
            "DB_USER", "bridge.postgres.user",
            "DB_PASSWORD", "bridge.postgres.password");

    private ConfigLoader() {
    }

    /**
     * @param file the user's configuration file (HOCON, JSON or properties), if any
     * @param env the environment variables
     * @param system the system properties
     * @throws InvalidConfigException if the file is missing or not valid HOCON, or a substitution
     *     cannot be resolved
     */
    public static Config load(Optional<Path> file, Map<String, String> env, Properties system, ClassLoader loader) {
        Config reference;
        try {
            reference = ConfigFactory.defaultReference(loader);
        } catch (ConfigException e) {
            throw new InvalidConfigException(List.of(problem(e, "a reference.conf on the class path is broken")));
        }
        Config user = ConfigFactory.empty();
        if (file.isPresent()) {
            Path path = file.get();
            if (!Files.isRegularFile(path)) {
                throw new InvalidConfigException(List.of(new Problem("--config", "",
                        "the file " + path + " does not exist or is not a regular file")));
            }
            try {
                user = ConfigFactory.parseFile(path.toFile(), ConfigParseOptions.defaults().setAllowMissing(false)
                        .setSyntax(path.toString().endsWith(".json") ? ConfigSyntax.JSON : ConfigSyntax.CONF));
            } catch (ConfigException e) {
                throw new InvalidConfigException(List.of(problem(e, "the file is not valid HOCON")));
            }
        }
        List<Problem> unsettable = unsettable(env, reference);
        if (!unsettable.isEmpty()) {
            throw new InvalidConfigException(unsettable);
        }
        Config merged = overrides(env, reference)
                .withFallback(ConfigFactory.parseProperties(only("bridge.", system), ConfigParseOptions.defaults()
                        .setOriginDescription("system properties")))
                .withFallback(user)
                .withFallback(reference);
        try {
            return merged.resolve();
        } catch (ConfigException e) {
            throw new InvalidConfigException(List.of(problem(e, "a substitution could not be resolved")));
        }
    }

    /**
     * {@code DB_*} variables, then {@code BRIDGE_*} ones over them. A {@code BRIDGE_*} variable that
     * names no setting but looks meant to — one inside a known block ({@code BRIDGE_POSTGRES_HOTS}),
     * or a near miss of a top-level one — is kept too, so that it is reported as an unknown key with
     * the variable as its origin, as a misspelled key in the file would be. Others
     * ({@code BRIDGE_HOME}) are left to whoever set them.
     */
    static Config overrides(Map<String, String> env, Config reference) {
        Config result = ConfigFactory.empty();
        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            String path = DB_VARIABLES.get(e.getKey());
            if (path != null) {
                result = result.withFallback(variable(e.getKey(), path, e.getValue()));
            }
        }
        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            String path = settingOf(e.getKey());
            if (path != null && (isScalar(reference, path) || (!isBlock(reference, path) && meantAsSetting(reference, path)))) {
                result = variable(e.getKey(), path, e.getValue()).withFallback(result);
            }
        }
        return result;
    }

    /** The {@code BRIDGE_*} variables that name a list or a block, which a single value cannot set, or no valid path. */
    private static List<Problem> unsettable(Map<String, String> env, Config reference) {
        List<Problem> problems = new java.util.ArrayList<>();
        for (String name : new TreeMap<>(env).keySet()) {
            String path = settingOf(name);
            if (path == null) {
                continue;
            }
            try {
                ConfigFactory.parseMap(Map.of(path, ""));
            } catch (ConfigException e) {
                problems.add(new Problem(path, "environment variable " + name, "is not the name of a setting"));
                continue;
            }
            if (isBlock(reference, path)) {
                problems.add(new Problem(path, "environment variable " + name, "is a list or a block, which an environment variable"
                        + " cannot set; set it in the configuration file (--config FILE)"));
                continue;
            }
            String list = listAbove(reference, path);
            if (list != null) {
                // HOCON would turn the variable into a list of its own, silently in place of the file's.
                problems.add(new Problem(path, "environment variable " + name, "is inside the list " + list + ", which environment"
                        + " variables cannot change in part; set it in the configuration file (--config FILE)"));
            }
        }
        return problems;
    }

    /** The list of the reference that {@code path} goes through ({@code bridge.sinks} for {@code bridge.sinks.0.type}), or null. */
    private static String listAbove(Config reference, String path) {
        String[] segments = path.split("\\.");
        StringBuilder prefix = new StringBuilder(segments[0]);
        for (int i = 1; i < segments.length - 1; i++) {
            prefix.append('.').append(segments[i]);
            try {
                if (reference.hasPath(prefix.toString()) && reference.getValue(prefix.toString()).valueType() == ConfigValueType.LIST) {
                    return prefix.toString();
                }
            } catch (ConfigException e) {
                return null;
            }
        }
        return null;
    }

    /** Whether an unknown path lies in a known block below {@code bridge}, or starts with a near miss of a top-level key. */
    private static boolean meantAsSetting(Config reference, String path) {
        String known = "bridge";
        String[] segments = path.split("\\.");
        int i = 1;
        while (i < segments.length - 1 && isBlock(reference, known + "." + segments[i])) {
            known = known + "." + segments[i];
            i++;
        }
        return !known.equals("bridge") || BridgeSettings.closest(segments[1], reference.getObject("bridge").keySet()) != null;
    }

    /** The setting a variable names, or null: not a BRIDGE_ name, or BRIDGE_CONFIG (the file). */
    private static String settingOf(String variable) {
        return variable.equals("BRIDGE_CONFIG") ? null : bridgePath(variable);
    }

    private static boolean isBlock(Config reference, String path) {
        try {
            return reference.hasPath(path) && !isScalar(reference, path);
        } catch (ConfigException e) {
            return false;
        }
    }

    /** {@code BRIDGE_OPS_PORT} → {@code bridge.ops.port}, {@code __} → {@code -}; null if not a BRIDGE_ name. */
    static String bridgePath(String variable) {
        if (!variable.startsWith("BRIDGE_") || variable.length() == "BRIDGE_".length()) {
            return null;
        }
        return variable.toLowerCase(Locale.ROOT).replace("__", "\u0000").replace('_', '.').replace('\u0000', '-');
    }

    private static boolean isScalar(Config reference, String path) {
        try {
            if (!reference.hasPath(path)) {
                return false;
            }
            ConfigValue value = reference.getValue(path);
            return value.valueType() != ConfigValueType.OBJECT && value.valueType() != ConfigValueType.LIST;
        } catch (ConfigException e) {
            return false;
        }
    }

    private static Config variable(String name, String path, String value) {
        return ConfigFactory.parseMap(Map.of(path, value), "environment variable " + name);
    }

    private static Properties only(String prefix, Properties system) {
        Properties picked = new Properties();
        for (String name : system.stringPropertyNames()) {
            if (name.startsWith(prefix)) {
                picked.setProperty(name, system.getProperty(name));
            }
        }
        return picked;
    }

    private static Problem problem(ConfigException e, String what) {
        String message = e.getMessage();
        String prefix = e.origin() == null ? null : e.origin().description() + ": ";
        if (prefix != null && message.startsWith(prefix)) {
            message = message.substring(prefix.length());
        }
        return new Problem("configuration", Reader.describe(e.origin()), what + ": " + message);
    }
}
