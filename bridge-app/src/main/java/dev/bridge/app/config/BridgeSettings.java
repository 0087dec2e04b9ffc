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
import dev.bridge.core.Op;
import dev.bridge.core.engine.DeliveryPolicy;
import dev.bridge.core.engine.EngineOptions;
import dev.bridge.core.engine.RetryPolicy;
import dev.bridge.core.engine.SinkFilter;
import dev.bridge.core.protocol.FrameEncoder;
import dev.bridge.core.protocol.ReassemblerOptions;
import dev.bridge.core.sink.SinkTypes;
import dev.bridge.postgres.DeliveryMode;
import dev.bridge.postgres.PostgresOptions;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The whole configuration, read once at start and validated: every problem is reported at once,
 * with its path and the file and line it came from.
 */
public record BridgeSettings(
        String consumer,
        EngineOptions engine,
        PostgresSettings postgres,
        List<SinkSpec> sinks,
        OpsSettings ops,
        DemoSettings demo) {

    private static final Map<String, DeliveryMode> MODES = Map.of(
            "at-least-once", DeliveryMode.AT_LEAST_ONCE, "at-most-once", DeliveryMode.AT_MOST_ONCE);
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
        List<Problem> problems = new ArrayList<>();
        unknownKeys(config.getValue("bridge"), reference.getValue("bridge"), "bridge", Set.of("bridge.sinks"), problems, Set.of());
        Reader bridge = new Reader(config, "", problems);
        String consumer = bridge.nonBlank("bridge.consumer");
        EngineOptions engine = build(problems, "bridge.engine", () -> new EngineOptions(
                bridge.duration("bridge.engine.checkpoint-interval", true), bridge.duration("bridge.engine.shutdown-deadline", false)));
        PostgresSettings postgres = postgres(config, problems);
        List<SinkSpec> sinks = sinks(config, reference, types, problems);
        OpsSettings ops = build(problems, "bridge.ops", () -> new OpsSettings(bridge.bool("bridge.ops.enabled"),
                bridge.nonBlank("bridge.ops.host"), bridge.integer("bridge.ops.port", 0, 65535)));
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
        return new BridgeSettings(consumer, engine, postgres, sinks, ops, demo);
    }

    /** Loads the configuration with {@link ConfigLoader} and reads it; the class loader finds the reference files and sink types. */
    public static BridgeSettings load(Config config, ClassLoader loader) {
        return from(config, ConfigFactory.defaultReference(loader), SinkTypes.load(loader));
    }

    private static PostgresSettings postgres(Config config, List<Problem> problems) {
        Reader r = new Reader(config.getConfig("bridge.postgres"), "bridge.postgres", problems);
        String host = r.string("host").trim();
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
        int maxMessageBytes = (int) r.bytes("reassembly.max-message-bytes", 1, Integer.MAX_VALUE - 16);
        int maxMessagesInFlight = r.integer("reassembly.max-messages-in-flight", 1, Integer.MAX_VALUE);
        long maxBufferedBytes = r.bytes("reassembly.max-buffered-bytes", 1, Long.MAX_VALUE);
        Duration expireAfter = r.duration("reassembly.expire-after", true);
        boolean legacyFrames = r.bool("reassembly.legacy-frames");
        boolean unsignedFrames = r.bool("reassembly.unsigned-frames");
        String schema = r.nonBlank("schema");
        String channel = r.nonBlank("channel");
        int maxFrameBytes = r.integer("max-frame-bytes", FrameEncoder.MIN_SIGNED_FRAME_BYTES, FrameEncoder.MAX_FRAME_BYTES);
        Duration checkInterval = r.duration("check-interval", true);
        Duration checkTimeout = r.duration("check-timeout", true);
        Duration reconnectMin = r.duration("reconnect-min", true);
        Duration reconnectMax = r.duration("reconnect-max", true);
        double queueUsageWarning = r.number("queue-usage-warning", Double.MIN_VALUE, 1);
        DeliveryMode mode = r.choice("mode", MODES, DeliveryMode.AT_LEAST_ONCE);
        Duration pollInterval = r.duration("poll-interval", true);
        int pageSize = r.integer("page-size", 1, Integer.MAX_VALUE);
        Duration retention = r.duration("retention", false);
        Duration pruneInterval = r.duration("prune-interval", true);
        Duration lockTimeout = r.duration("lock-timeout", true);
        Duration maxRetention = r.duration("max-retention", false);
        if (mode == DeliveryMode.AT_LEAST_ONCE) {
            for (String frames : List.of("reassembly.legacy-frames", "reassembly.unsigned-frames")) {
                if (r.bool(frames)) {
                    r.problem(frames, "is read in at-most-once mode only (bridge.postgres.mode = at-most-once); in at-least-once mode"
                            + " every change is read from the change log, never from frames");
                }
            }
        }
        if (r.failed()) {
            return null;
        }
        ReassemblerOptions reassembly = build(problems, "bridge.postgres.reassembly",
                () -> new ReassemblerOptions(maxMessageBytes, maxMessagesInFlight, maxBufferedBytes, expireAfter, legacyFrames,
                        unsignedFrames));
        PostgresOptions options = reassembly == null ? null : build(problems, "bridge.postgres", () -> new PostgresOptions(schema, channel,
                maxFrameBytes, checkInterval, checkTimeout, reconnectMin, reconnectMax, queueUsageWarning, reassembly, mode, pollInterval,
                pageSize, retention, pruneInterval, lockTimeout, maxRetention));
        return options == null ? null : build(problems, "bridge.postgres", () -> new PostgresSettings(host, port, database, user,
                password, sslMode, connectTimeout, install, capture, dataDir, embeddedPort, options));
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
            Reader d = new Reader(block, path, problems);
            SinkFilter filter = build(problems, path + ".filter", () -> new SinkFilter(
                    d.strings("filter.buckets"), d.strings("filter.exclude-buckets"), ops(d)));
            DeliveryPolicy policy = build(problems, path + ".delivery", () -> policy(d));
            // The type's own settings are checked even when the block has other problems, so that all show at once.
            ConfigSinkSettings settings = new ConfigSinkSettings(block, path);
            try {
                types.create(type, name, settings);
                if (!d.failed() && !r.failed()) {
                    sinks.add(new SinkSpec(type, name, filter, policy, settings));
                }
            } catch (InvalidSettingException e) {
                if (e.getSuppressed().length == 0) {
                    problems.add(new Problem(e.path(), e.origin(), e.problem()));
                }
                for (Throwable each : e.getSuppressed()) {
                    if (each instanceof InvalidSettingException one) {
                        problems.add(new Problem(one.path(), one.origin(), one.problem()));
                    }
                }
            } catch (BridgeException e) {
                problems.add(new Problem(path, "", e.getMessage()));
            }
        }
        return sinks;
    }

    private static Set<Op> ops(Reader d) {
        Set<Op> ops = EnumSet.noneOf(Op.class);
        for (String op : d.strings("filter.ops")) {
            try {
                ops.add(Op.valueOf(op.trim().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                d.problem("filter.ops", "may hold only INSERT, UPDATE and DELETE, got '" + op + "'");
            }
        }
        if (ops.isEmpty() && !d.failed()) {
            d.problem("filter.ops", "must name at least one of INSERT, UPDATE, DELETE");
        }
        return ops.isEmpty() ? EnumSet.allOf(Op.class) : ops;
    }

    private static DeliveryPolicy policy(Reader d) {
        var initial = d.duration("delivery.retry.initial-backoff", true);
        var max = d.duration("delivery.retry.max-backoff", true);
        if (!d.failed() && max.compareTo(initial) < 0) {
            d.problem("delivery.retry.max-backoff", "must not be below initial-backoff (" + initial + ")");
            max = initial;
        }
        RetryPolicy retry = new RetryPolicy(initial, max, d.durations("delivery.retry.schedule"),
                d.integer("delivery.retry.max-attempts", 1, Integer.MAX_VALUE), d.duration("delivery.retry.max-age", true));
        return new DeliveryPolicy(d.integer("delivery.parallelism", 1, 1024), d.integer("delivery.batch-size", 1, 100_000),
                d.duration("delivery.linger", false), d.integer("delivery.buffer-changes", 1, Integer.MAX_VALUE),
                d.bytes("delivery.buffer-bytes", 1, Long.MAX_VALUE), d.duration("delivery.ack-timeout", true), retry);
    }

    /**
     * Runs {@code make} and returns its record; if a read inside it failed, or the record refused
     * its values (a rule across fields), records that and returns null: the problems list is then
     * non-empty. {@code make} must not depend on a record whose build returned null.
     */
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
                    + "; see the reference.conf files (README: configuration reference)"));
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
