package dev.bridge.app.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.bridge.core.BridgeException;
import dev.bridge.core.InvalidSettingException;
import dev.bridge.core.engine.DeliveryPolicy;
import dev.bridge.core.engine.EngineOptions;
import dev.bridge.core.engine.SinkFilter;
import dev.bridge.core.port.ChangeSink;
import dev.bridge.core.settings.Settings;
import dev.bridge.core.sink.SinkTypes;
import dev.bridge.postgres.PostgresOptions;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The whole configuration, read once at start and validated: every problem is reported at once,
 * with its path and the file and line it came from.
 */
public record BridgeSettings(
        String consumer,
        int partitions,
        EngineOptions engine,
        PostgresSettings postgres,
        List<SinkSpec> sinks,
        OpsSettings ops,
        DemoSettings demo) {

    private static final Set<String> SINK_KEYS = Set.of("type", "name");

    public BridgeSettings {
        Objects.requireNonNull(consumer, "consumer");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(postgres, "postgres");
        sinks = List.copyOf(sinks);
        Objects.requireNonNull(ops, "ops");
        Objects.requireNonNull(demo, "demo");
    }

    /**
     * Reads and validates {@code config} (as {@link ConfigLoader} makes it). Each sink's provider
     * checks its block; no connection is opened.
     *
     * @param reference the merged reference.conf files, to spot unknown keys
     * @throws InvalidConfigException listing every problem found
     */
    public static BridgeSettings from(Config config, Config reference, SinkTypes types) {
        try {
            return read(config, reference, types);
        } catch (ConfigException e) {
            // A value of the wrong kind where the reading above expects a block or a list (bridge = 5, bridge.sinks = null).
            // The library's message starts with its origin's description, which the problem shows on its own.
            String message = e.getMessage();
            String prefix = e.origin() == null ? "" : e.origin().description() + ": ";
            String origin = e.origin() == null ? "" : Reader.describe(e.origin());
            String problem = message.startsWith(prefix) ? message.substring(prefix.length()) : message;
            throw new InvalidConfigException(List.of(new Problem("bridge", origin, problem
                    + "; see docs/configuration.md for what each key holds")));
        }
    }

    private static BridgeSettings read(Config config, Config reference, SinkTypes types) {
        List<Problem> problems = new ArrayList<>();
        if (!isBlock(config, "bridge", "bridge", problems)) {
            throw new InvalidConfigException(problems);
        }
        unknownKeys(config.getValue("bridge"), reference.getValue("bridge"), "bridge", Set.of("bridge.sinks"), problems, Set.of());
        Reader bridge = new Reader(config, "", problems);
        String consumer = bridge.nonBlank("bridge.consumer");
        int partitions = bridge.integer("bridge.partitions", 1, dev.bridge.core.engine.DeliveryEngine.MAX_PARTITIONS);
        EngineOptions engine = read(problems, config, "bridge.engine", "bridge.engine", EngineOptions::from);
        PostgresSettings postgres = postgres(config, problems);
        List<SinkSpec> sinks = sinks(config, reference, types, problems);
        OpsSettings ops = build(problems, "bridge.ops", () -> new OpsSettings(bridge.bool("bridge.ops.enabled"),
                bridge.nonBlank("bridge.ops.host"), bridge.integer("bridge.ops.port", 0, 65535), readyChecks(bridge)));
        DemoSettings demo = build(problems, "bridge.demo", () -> new DemoSettings(bridge.integer("bridge.demo.changes", 1, 1_000_000),
                bridge.integer("bridge.demo.large-change-bytes", 1, 16 << 20)));
        try {
            LogSettings.from(config);
        } catch (InvalidConfigException e) {
            problems.addAll(e.problems());
        }
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
        return new BridgeSettings(consumer, partitions, engine, postgres, sinks, ops, demo);
    }

    private static Set<String> readyChecks(Reader bridge) {
        Set<String> checks = new java.util.LinkedHashSet<>();
        for (String check : bridge.strings("bridge.ops.ready-checks")) {
            if (OpsSettings.READY_CHECKS.contains(check.toLowerCase(java.util.Locale.ROOT))) {
                checks.add(check.toLowerCase(java.util.Locale.ROOT));
            } else {
                bridge.problem("bridge.ops.ready-checks", "must hold only " + String.join(", ", new java.util.TreeSet<>(OpsSettings.READY_CHECKS))
                        + ", got '" + check + "'");
            }
        }
        return checks;
    }

    /** Loads the configuration with {@link ConfigLoader} and reads it; the class loader finds the reference files and sink types. */
    public static BridgeSettings load(Config config, ClassLoader loader) {
        return from(config, ConfigFactory.defaultReference(loader), SinkTypes.load(loader));
    }

    private static PostgresSettings postgres(Config config, List<Problem> problems) {
        if (!isBlock(config, "bridge.postgres", "bridge.postgres", problems)) {
            return null;
        }
        Reader r = new Reader(config.getConfig("bridge.postgres"), "bridge.postgres", problems);
        String host = host(r);
        int port = r.integer("port", 1, 65535);
        String database = r.nonBlank("database");
        String user = r.nonBlank("user");
        String password = r.string("password");
        String sslMode = r.choice("ssl-mode", Map.of("disable", "disable", "allow", "allow", "prefer", "prefer", "require", "require",
                "verify-ca", "verify-ca", "verify-full", "verify-full"), "prefer");
        Duration connectTimeout = r.duration("connect-timeout", true);
        boolean install = r.bool("install-schema");
        List<String> capture = r.strings("capture");
        capture.stream().filter(String::isBlank).findAny().ifPresent(t -> r.problem("capture", "must not hold a blank table name"));
        Path dataDir = dataDir(r);
        int embeddedPort = r.integer("embedded.port", 0, 65535);
        boolean connectionFailed = r.failed();
        PostgresOptions options = read(problems, config, "bridge.postgres", "bridge.postgres", PostgresOptions::from);
        return options == null || connectionFailed ? null : build(problems, "bridge.postgres", () -> new PostgresSettings(host, port, database, user,
                password, sslMode, connectTimeout, install, capture, dataDir, embeddedPort, options));
    }

    /** A host name or address alone: anything else (a URL, a port, a user) would be pasted into the JDBC URL. */
    private static String host(Reader r) {
        String host = r.string("host").trim();
        boolean name = host.matches("[A-Za-z0-9._-]*");
        boolean ipv6 = host.matches("\\[?[0-9A-Fa-f:.]+(%[A-Za-z0-9]+)?]?") && host.contains(":");
        if (!name && !ipv6) {
            String wrong = host.chars().filter(c -> ":/@?=&#% ".indexOf(c) >= 0).distinct()
                    .mapToObj(c -> "'" + (char) c + "'").collect(java.util.stream.Collectors.joining(" "));
            r.problem("host", "must be a host name or address alone, such as db.internal or 10.0.0.5, got a value holding "
                    + (wrong.isEmpty() ? "other characters" : wrong) + " (not shown: it may hold a password); the port goes in"
                    + " bridge.postgres.port (DB_PORT), the database in bridge.postgres.database (DB_DATABASE), the user and"
                    + " password in their own keys");
            return "";
        }
        return host;
    }

    private static Path dataDir(Reader r) {
        String dir = r.nonBlank("embedded.data-dir");
        try {
            return Path.of(dir);
        } catch (InvalidPathException e) {
            r.problem("embedded.data-dir", "is not a valid path (" + e.getReason() + ")");
            return Path.of(".");
        }
    }

    private static List<SinkSpec> sinks(Config config, Config reference, SinkTypes types, List<Problem> problems) {
        ConfigList list;
        try {
            list = config.getList("bridge.sinks");
        } catch (ConfigException e) {
            problems.add(new Problem("bridge.sinks", Reader.describe(config.getValue("bridge.sinks").origin()),
                    "must be a list of sink blocks, e.g. [ { type = console } ]"));
            return List.of();
        }
        if (list.isEmpty()) {
            problems.add(new Problem("bridge.sinks", Reader.describe(list.origin()), "must hold at least one sink, e.g. [ { type = console } ]"));
        }
        Config defaults = config.getConfig("bridge.sink.defaults");
        List<SinkSpec> sinks = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String path = "bridge.sinks[" + i + "]";
            ConfigValue item = list.get(i);
            if (item.valueType() != ConfigValueType.OBJECT) {
                problems.add(new Problem(path, Reader.describe(item.origin()), "must be a sink block such as { type = console }"));
                continue;
            }
            Config own = ((ConfigObject) item).toConfig();
            Reader r = new Reader(own, path, problems);
            String type = r.nonBlank("type");
            if (r.failed()) {
                if (!own.hasPath("type")) {
                    problems.set(problems.size() - 1, new Problem(path + ".type", Reader.describe(item.origin()),
                            "is required; known types: " + String.join(", ", types.known())));
                }
                continue;
            }
            if (!types.known().contains(type)) {
                r.problem("type", "is '" + type + "', which no sink provider on the class path has; known types: "
                        + String.join(", ", types.known()));
                continue;
            }
            Config typeDefaults = config.hasPath("bridge.sink." + type) ? config.getConfig("bridge.sink." + type) : ConfigFactory.empty();
            Config block = own.withFallback(typeDefaults).withFallback(defaults);
            Config typeReference = reference.hasPath("bridge.sink." + type) ? reference.getConfig("bridge.sink." + type)
                    : null;
            if (typeReference != null) {
                Config known = typeReference.withFallback(reference.getConfig("bridge.sink.defaults"));
                for (String key : own.root().keySet()) {
                    if (!SINK_KEYS.contains(key)) {
                        unknownKeys(own.root().get(key), known.root().get(key), path + "." + key, Set.of(), problems, known.root().keySet());
                    }
                }
            }
            String name = own.hasPath("name") ? r.nonBlank("name") : type;
            if (!name.isBlank() && !names.add(name)) {
                r.problem("name", "'" + name + "' is taken by an earlier sink; give each sink a unique name");
            }
            int before = problems.size();
            SinkFilter filter = read(problems, block, "filter", path + ".filter", SinkFilter::from);
            DeliveryPolicy policy = read(problems, block, "delivery", path + ".delivery", DeliveryPolicy::from);
            // The type's own settings are checked even when the block has other problems, so that all show at once.
            ConfigSettings settings = new ConfigSettings(block, path);
            try {
                ChangeSink sink = types.create(type, name, settings);
                if (problems.size() == before && !r.failed()) {
                    sinks.add(new SinkSpec(type, name, filter, policy, settings, sink));
                }
            } catch (InvalidSettingException e) {
                addAll(problems, e);
            } catch (BridgeException e) {
                problems.add(new Problem(path, "", e.getMessage()));
            }
        }
        return sinks;
    }

    /**
     * What {@code options} reads from the block at {@code key} of {@code config} (a module's own
     * keys), or null after recording each of its problems, or that the key is not a block.
     *
     * @param label the block's full path, for messages
     */
    private static <T> T read(List<Problem> problems, Config config, String key, String label, Function<Settings, T> options) {
        if (!isBlock(config, key, label, problems)) {
            return null;
        }
        try {
            return options.apply(new ConfigSettings(config.getConfig(key), label));
        } catch (InvalidSettingException e) {
            addAll(problems, e);
            return null;
        }
    }

    private static boolean isBlock(Config config, String key, String label, List<Problem> problems) {
        if (config.hasPath(key) && config.getValue(key).valueType() == ConfigValueType.OBJECT) {
            return true;
        }
        if (!problems.stream().anyMatch(p -> p.path().equals(label))) {
            problems.add(new Problem(label, Reader.origin(config, key), "must be a block of settings, e.g. " + label.substring(
                    label.lastIndexOf('.') + 1) + " { ... }"));
        }
        return false;
    }

    private static void addAll(List<Problem> problems, InvalidSettingException e) {
        if (e.getSuppressed().length == 0) {
            problems.add(new Problem(e.path(), e.origin(), e.problem()));
        }
        for (Throwable each : e.getSuppressed()) {
            if (each instanceof InvalidSettingException one) {
                problems.add(new Problem(one.path(), one.origin(), one.problem()));
            }
        }
    }

    private static <T> T build(List<Problem> problems, String path, Supplier<T> make) {
        int before = problems.size();
        try {
            T value = make.get();
            return problems.size() > before ? null : value;
        } catch (IllegalArgumentException e) {
            if (problems.size() == before) {
                problems.add(new Problem(path, "", String.valueOf(e.getMessage())));
            }
            return null;
        }
    }

    private static void unknownKeys(ConfigValue value, ConfigValue known, String path, Set<String> skip, List<Problem> problems,
            Set<String> siblings) {
        if (skip.contains(path)) {
            return;
        }
        if (known == null) {
            String key = path.substring(path.lastIndexOf('.') + 1);
            problems.add(new Problem(path, Reader.describe(value.origin()), "is not a known setting" + suggestion(key, siblings)
                    + "; docs/configuration.md lists every key (README: configuration reference)"));
            return;
        }
        if (value.valueType() != ConfigValueType.OBJECT || known.valueType() != ConfigValueType.OBJECT) {
            return;
        }
        ConfigObject knownObject = (ConfigObject) known;
        if (knownObject.isEmpty()) {
            return; // a free-form block such as a webhook's headers
        }
        for (Map.Entry<String, ConfigValue> e : ((ConfigObject) value).entrySet()) {
            unknownKeys(e.getValue(), knownObject.get(e.getKey()), path + "." + e.getKey(), skip, problems, knownObject.keySet());
        }
    }

    private static String suggestion(String key, Set<String> siblings) {
        String best = closest(key, siblings);
        return best == null ? "" : " (did you mean " + best + "?)";
    }

    /** The sibling {@code key} is most likely a misspelling of (fewer than three edits away), or null. */
    static String closest(String key, Set<String> siblings) {
        String best = null;
        int bestDistance = 3;
        for (String candidate : siblings) {
            int d = distance(key, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best;
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
