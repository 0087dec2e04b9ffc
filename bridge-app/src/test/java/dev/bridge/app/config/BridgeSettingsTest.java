package dev.bridge.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.bridge.core.Op;
import dev.bridge.core.protocol.ReassemblerOptions;
import dev.bridge.core.sink.SinkTypes;
import dev.bridge.postgres.DeliveryMode;
import dev.bridge.postgres.PostgresOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BridgeSettingsTest {

    private static final ClassLoader LOADER = BridgeSettingsTest.class.getClassLoader();

    @TempDir
    Path dir;

    @Test
    void aSizeMeansTheSameToALibrarysMapAsToAConfigFile() {
        for (String size : List.of("512", "512B", "1kB", "1K", "1k", "1Ki", "1KiB", "16MB", "16M", "16m", "16MiB", "2GB", "2g", "2GiB")) {
            long fromFile = com.typesafe.config.ConfigFactory.parseString("x = \"" + size + "\"").getBytes("x");
            assertThat(new dev.bridge.core.settings.MapSettings("sink", java.util.Map.of("x", size)).bytes("x")).as(size)
                    .hasValue(fromFile);
        }
    }

    @Test
    void theReferenceFilesAloneMakeAValidConfigurationWhoseDefaultsMatchTheLibraries() {
        BridgeSettings settings = settings(Optional.empty(), Map.of());
        assertThat(settings.postgres().embedded()).isTrue();
        assertThat(settings.postgres().options()).isEqualTo(PostgresOptions.defaults());
        assertThat(settings.postgres().options().reassembly()).isEqualTo(ReassemblerOptions.defaults());
        assertThat(settings.consumer()).isEqualTo("bridge");
        assertThat(settings.sinks()).singleElement().satisfies(s -> {
            assertThat(s.type()).isEqualTo("console");
            assertThat(s.name()).isEqualTo("console");
            assertThat(s.filter().ops()).containsExactlyInAnyOrder(Op.values());
            assertThat(s.policy().retry().schedule()).isEmpty();
        });
        assertThat(settings.ops().port()).isEqualTo(8686);
        assertThat(settings.ops().readyChecks()).containsExactly("listener");
    }

    @Test
    void readinessChecksAreNamedFromAKnownSetAndAnUnknownOneIsAProblem() throws IOException {
        assertThat(settings(file("bridge.ops.ready-checks = [Listener, sinks]\n"), Map.of()).ops().readyChecks())
                .containsExactlyInAnyOrder("listener", "sinks");
        assertThat(settings(file("bridge.ops.ready-checks = []\n"), Map.of()).ops().readyChecks()).isEmpty();
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> settings(file("""
                bridge.ops.ready-checks = [listener, sink]
                """), Map.of()));
        assertThat(e.problems()).singleElement().satisfies(p -> {
            assertThat(p.path()).isEqualTo("bridge.ops.ready-checks");
            assertThat(p.message()).isEqualTo("must hold only listener, sinks, got 'sink'");
        });
    }

    @Test
    void aWebhookSinkGetsTheWebhookRetryScheduleAndTheCommonDefaults() throws IOException {
        BridgeSettings settings = settings(file("""
                bridge.sinks = [ { type = webhook, name = billing, url = "https://hooks.example.com/b",
                                   filter.buckets = ["orders*"], delivery.batch-size = 10 } ]
                """), Map.of());
        SinkSpec sink = settings.sinks().get(0);
        assertThat(sink.name()).isEqualTo("billing");
        assertThat(sink.filter().include()).containsExactly("orders*");
        assertThat(sink.policy().batchSize()).isEqualTo(10);
        assertThat(sink.policy().parallelism()).isEqualTo(4);
        assertThat(sink.policy().retry().schedule()).containsExactly(Duration.ofSeconds(5), Duration.ofMinutes(5),
                Duration.ofMinutes(30), Duration.ofHours(2), Duration.ofHours(5), Duration.ofHours(10), Duration.ofHours(10));
        assertThat(sink.policy().retry().maxAttempts()).isEqualTo(8);
        assertThat(sink.policy().retry().maxAge()).isEqualTo(Duration.ofDays(2));
        assertThat(sink.settings().duration("timeout")).contains(Duration.ofSeconds(15));
    }

    @Test
    void theOriginalDesignsVariablesAndBridgeVariablesOverrideTheFile() throws IOException {
        BridgeSettings settings = settings(file("""
                bridge.postgres { host = filehost, port = 6000 }
                bridge.ops.port = 7000
                """), Map.of("DB_HOST", "db", "DB_USER", "app", "DB_PASSWORD", "s3cret", "DB_DATABASE", "shop",
                "BRIDGE_OPS_PORT", "9000", "BRIDGE_ENGINE_SHUTDOWN__DEADLINE", "5s", "BRIDGE_POSTGRES_MODE", "at-most-once",
                "BRIDGE_HOME", "/opt/bridge"));
        assertThat(settings.postgres().host()).isEqualTo("db");
        assertThat(settings.postgres().port()).isEqualTo(6000);
        assertThat(settings.postgres().user()).isEqualTo("app");
        assertThat(settings.postgres().database()).isEqualTo("shop");
        assertThat(settings.postgres().password()).isEqualTo("s3cret");
        assertThat(settings.postgres().toString()).doesNotContain("s3cret");
        assertThat(settings.postgres().options().mode()).isEqualTo(DeliveryMode.AT_MOST_ONCE);
        assertThat(settings.ops().port()).isEqualTo(9000);
        assertThat(settings.engine().shutdownDeadline()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void everyProblemIsReportedAtOnceWithItsFileAndLine() throws IOException {
        Optional<Path> conf = file("""
                bridge {
                  postgres.port = 70000
                  postgres.hots = db
                  engine.checkpoint-interval = soon
                  sinks = [
                    { type = webhook, url = "https://a.example.com", timeout = never }
                    { type = kafka }
                    { type = redis, mode = carrier-pigeon }
                    { type = console, stream = stdin }
                    { url = "https://b.example.com" }
                    { type = webhook, url = "https://c.example.com", secrets = ["whsec_notvalid!"], filter.ops = [UPSERT] }
                  ]
                }
                """);
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> settings(conf, Map.of()));
        String file = conf.get().toString();
        assertThat(e.problems()).extracting(Problem::toString).contains(
                "bridge.postgres.port (" + file + ":2): must be from 1 to 65535, got 70000",
                "bridge.engine.checkpoint-interval (" + file + ":4): must be a duration such as 500ms, 5s or 2m, got 'soon'");
        assertThat(e.getMessage())
                .contains("bridge.postgres.hots (" + file + ":3): is not a known setting (did you mean host?)")
                .contains("bridge.sinks[0].timeout (" + file + ":6): must be a duration")
                .contains("bridge.sinks[1].type (" + file + ":7): is 'kafka', which no sink provider on the class path has;"
                        + " known types: console, redis, webhook")
                .contains("bridge.sinks[2].mode", "carrier-pigeon")
                .contains("bridge.sinks[3].stream", "stdout or stderr")
                .contains("bridge.sinks[4].type (" + file + ":10): is required; known types: console, redis, webhook")
                .contains("bridge.sinks[5].filter.ops (" + file + ":11): may hold only INSERT, UPDATE and DELETE, got 'UPSERT'")
                .as("the type's own settings too, although the block's filter is wrong")
                .contains("bridge.sinks[5].secrets[0] (" + file + ":11): is not valid base64 after whsec_")
                .doesNotContain("whsec_notvalid");
    }

    @Test
    void aBadNestedValueIsOneProblemNotAlsoOneForEachBlockAroundIt() throws IOException {
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> settings(file("""
                bridge.postgres.reassembly.expire-after = soon
                """), Map.of()));
        assertThat(e.problems()).extracting(Problem::path).containsExactly("bridge.postgres.reassembly.expire-after");
        InvalidConfigException acrossFields = catchThrowableOfType(InvalidConfigException.class, () -> settings(file("""
                bridge.postgres { reconnect-min = 10s, reconnect-max = 1s }
                """), Map.of()));
        assertThat(acrossFields.problems()).singleElement().satisfies(p -> {
            assertThat(p.path()).isEqualTo("bridge.postgres.reconnect-max");
            assertThat(p.origin()).endsWith(":1");
            assertThat(p.message()).startsWith("must not be below reconnect-min");
        });
    }

    @Test
    void aValueWhereABlockBelongsIsAProblemLikeAnyOther() throws IOException {
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> settings(file("""
                bridge.engine = 5
                bridge.postgres = null
                bridge.sinks = [ { type = console, filter = "orders", delivery = 5 } ]
                """), Map.of()));
        assertThat(e.problems()).extracting(Problem::path).contains("bridge.engine", "bridge.postgres", "bridge.sinks[0].filter",
                "bridge.sinks[0].delivery");
        assertThat(e.problems()).filteredOn(p -> p.path().equals("bridge.sinks[0].filter")).singleElement()
                .satisfies(p -> assertThat(p.message()).isEqualTo("must be a block of settings, e.g. filter { ... }"));
    }

    @Test
    void aNullOrANumberWhereTheReadingExpectsABlockOrAListIsAProblemNotACrash() throws IOException {
        for (String conf : List.of("bridge = 5", "bridge.sinks = null", "bridge.sink.defaults = null")) {
            InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> settings(file(conf), Map.of()));
            assertThat(e).as(conf).isNotNull();
            assertThat(e.problems()).as(conf).isNotEmpty().allSatisfy(p -> assertThat(p.origin()).as(conf).contains(".conf:1"));
        }
    }

    @Test
    void aHostThatIsAUrlIsRefusedWithoutShowingIt() throws IOException {
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> settings(Optional.empty(),
                Map.of("DB_HOST", "postgres://owner:Url_s3cret@db:5432/shop")));
        assertThat(e.problems()).singleElement().satisfies(p -> {
            assertThat(p.path()).isEqualTo("bridge.postgres.host");
            assertThat(p.origin()).isEqualTo("environment variable DB_HOST");
            assertThat(p.message()).startsWith("must be a host name or address alone").contains("':'", "'/'", "'@'");
        });
        assertThat(e.getMessage()).doesNotContain("Url_s3cret").doesNotContain("owner");
        assertThat(settings(Optional.empty(), Map.of("DB_HOST", "fe80::1%eth0")).postgres().host()).isEqualTo("fe80::1%eth0");
        assertThat(settings(Optional.empty(), Map.of("DB_HOST", "db-1.internal")).postgres().host()).isEqualTo("db-1.internal");
    }

    @Test
    void keysThatDoNotFitTogetherAreToldAtTheOneTheUserSet() throws IOException {
        Optional<Path> conf = file("""
                bridge.postgres.retention = 10d
                bridge.sinks = [ { type = console, delivery.retry.initial-backoff = 1m } ]
                """);
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> settings(conf, Map.of()));
        String file = conf.get().toString();
        assertThat(e.problems()).extracting(Problem::toString).containsExactlyInAnyOrder(
                "bridge.postgres.retention (" + file + ":1): must not be above max-retention (7d, which 0 lifts), got 10d",
                "bridge.sinks[0].delivery.retry.initial-backoff (" + file + ":2): must not be above max-backoff (30s), got 1m");
        InvalidConfigException fromEnv = catchThrowableOfType(InvalidConfigException.class, () -> settings(Optional.empty(),
                Map.of("BRIDGE_POSTGRES_RECONNECT__MIN", "1m")));
        assertThat(fromEnv.problems()).singleElement().hasToString("bridge.postgres.reconnect-min (environment variable"
                + " BRIDGE_POSTGRES_RECONNECT__MIN): must not be above reconnect-max (30s), got 1m");
    }

    @Test
    void twoSinksOfOneTypeNeedNames() throws IOException {
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> settings(file("""
                bridge.sinks = [ { type = console }, { type = console, stream = stderr } ]
                """), Map.of()));
        assertThat(e.getMessage()).contains("bridge.sinks[1].name", "'console' is taken by an earlier sink");
    }

    @Test
    void secretsNeverAppearInMessages() throws IOException {
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> settings(file("""
                bridge.postgres.password = { nested = "pa55word" }
                bridge.sinks = [ { type = redis, uri = "redis://:pa55word@localhost:6379/x" } ]
                """), Map.of()));
        assertThat(e.getMessage()).contains("bridge.postgres.password").doesNotContain("pa55word");
    }

    @Test
    void aMissingOrBrokenFileIsAProblemNotAStackTrace() throws IOException {
        InvalidConfigException missing = catchThrowableOfType(InvalidConfigException.class,
                () -> settings(Optional.of(dir.resolve("nope.conf")), Map.of()));
        assertThat(missing.getMessage()).contains("nope.conf does not exist");
        InvalidConfigException broken = catchThrowableOfType(InvalidConfigException.class,
                () -> settings(file("bridge { ops.port = \n"), Map.of()));
        assertThat(broken.problems()).singleElement().satisfies(p -> assertThat(p.origin()).contains("bridge-"));
    }

    private Optional<Path> file(String text) throws IOException {
        Path file = Files.createTempFile(dir, "bridge-", ".conf");
        Files.writeString(file, text);
        return Optional.of(file);
    }

    private static BridgeSettings settings(Optional<Path> file, Map<String, String> env) {
        Config config = ConfigLoader.load(file, env, new Properties(), LOADER);
        return BridgeSettings.from(config, ConfigFactory.defaultReference(LOADER), SinkTypes.load(LOADER));
    }

}
