package dev.bridge.sink.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bridge.core.Change;
import dev.bridge.core.InvalidSettingException;
import dev.bridge.core.Op;
import dev.bridge.core.port.SinkProvider;
import dev.bridge.core.settings.MapSettings;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class RedisSinkProviderTest {

    private static final Map<String, Object> BASE = Map.of("uri", "redis://:secret@cache:6380/2", "mode", "stream",
            "channel", "bridge:{bucket}", "stream", "bridge:{bucket}", "max-len", 0, "command-timeout", "5s",
            "connect-timeout", "10s", "cluster", false, "tls-verify", "full", "tls-ca-file", "");

    @Test
    void isFoundByTheServiceLoaderAsRedis() {
        assertThat(ServiceLoader.load(SinkProvider.class).stream().map(p -> p.get().type())).contains("redis");
    }

    @Test
    void makesASinkWithItsNameFromTheSettings() {
        assertThat(new RedisSinkProvider().create("events", settings(Map.of())).name()).isEqualTo("events");
        assertThat(new RedisSinkProvider().create("events", settings(Map.of())).toString())
                .isEqualTo("redis sink 'events' (STREAM to bridge:{bucket} at redis://***@cache:6380/2)");
    }

    @Test
    void rejectsAnUnknownModeNamingThePath() {
        assertThatThrownBy(() -> new RedisSinkProvider().create("x", settings(Map.of("mode", "queue"))))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("bridge.sinks[2].mode must be pubsub or stream, got 'queue'");
    }

    @Test
    void rejectsABadUriWithoutShowingThePassword() {
        assertThatThrownBy(() -> new RedisSinkProvider().create("x", settings(Map.of("uri", "http://u:hunter2@cache"))))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("bridge.sinks[2].uri must start with redis:// or rediss://, got 'http://***@cache'");
    }

    @Test
    void rejectsANegativeMaxLen() {
        assertThatThrownBy(() -> new RedisSinkProvider().create("x", settings(Map.of("max-len", -1))))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("bridge.sinks[2].max-len must be 0");
    }

    @Test
    void reportsEveryBadSettingAtOnceWithItsPath() {
        assertThatThrownBy(() -> new RedisSinkProvider().create("x", settings(Map.of("max-len", -1, "command-timeout", "soon",
                "tls-verify", "maybe"))))
                .isInstanceOfSatisfying(InvalidSettingException.class, e -> {
                    assertThat(e.path()).isEqualTo("bridge.sinks[2]");
                    assertThat(e.getSuppressed()).extracting(s -> ((InvalidSettingException) s).path())
                            .containsExactly("bridge.sinks[2].max-len", "bridge.sinks[2].command-timeout", "bridge.sinks[2].tls-verify");
                })
                .hasMessage("bridge.sinks[2] has 3 invalid settings: "
                        + "bridge.sinks[2].max-len must be 0 (no trimming) or a positive number of entries, got -1; "
                        + "bridge.sinks[2].command-timeout must be a duration such as 500ms, 5s or 2m, got 'soon'; "
                        + "bridge.sinks[2].tls-verify must be full, ca or none, got 'maybe'");
    }

    @Test
    void reportsABadUriAndABadModeTogetherWithoutThePassword() {
        assertThatThrownBy(() -> new RedisSinkProvider().create("x", settings(Map.of("uri", "http://u:hunter2@cache", "mode", "queue"))))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("bridge.sinks[2] has 2 invalid settings: "
                        + "bridge.sinks[2].uri must start with redis:// or rediss://, got 'http://***@cache'; "
                        + "bridge.sinks[2].mode must be pubsub or stream, got 'queue'");
    }

    @Test
    void takesACaFileForRedissOnly() {
        RedisSink sink = (RedisSink) new RedisSinkProvider().create("x", settings(Map.of("uri", "rediss://cache:6380", "tls-verify", "CA",
                "tls-ca-file", "/etc/bridge/redis-ca.pem")));
        assertThat(sink.options().tlsVerify()).isEqualTo(RedisSinkOptions.TlsVerify.CA);
        assertThat(sink.options().tlsCaFile()).contains(java.nio.file.Path.of("/etc/bridge/redis-ca.pem"));
        assertThatThrownBy(() -> new RedisSinkProvider().create("x", settings(Map.of("tls-ca-file", "/etc/bridge/redis-ca.pem"))))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("bridge.sinks[2].tls-ca-file applies to rediss:// URIs only; use rediss:// in uri or leave tls-ca-file empty");
    }

    @Test
    void aUriWhosePortIsNoNumberOrOutOfRangeIsRefusedBeforeAnyConnection() {
        for (String uri : new String[] {"redis://:s3cret@127.0.0.1:notaport", "redis://cache:0", "redis://cache:70000",
                "redis://my_cache:6379"}) {
            assertThatThrownBy(() -> RedisSinkOptions.pubsub(uri)).as(uri).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("uri needs a host").hasMessageNotContaining("s3cret");
        }
        assertThat(RedisSinkOptions.pubsub("redis://[::1]:6380/2").uri()).isEqualTo("redis://[::1]:6380/2");
        assertThat(RedisSinkOptions.pubsub("rediss://app:pw@cache.internal").safeUri()).isEqualTo("rediss://***@cache.internal");
    }

    @Test
    void optionsNeverPrintThePassword() {
        RedisSinkOptions options = RedisSinkOptions.pubsub("rediss://app:secret@cache:6380/3").withTarget("c");
        assertThat(options.safeUri()).isEqualTo("rediss://***@cache:6380/3");
        assertThat(options.toString()).doesNotContain("secret");
    }

    @Test
    void templatesReplaceOnlyTheirPlaceholders() {
        Change change = new Change(Op.DELETE, "orders", "42", 3, Instant.EPOCH, null, null, 7);
        assertThat(render("bridge:{bucket}:{id}:{op}", change)).isEqualTo("bridge:orders:42:DELETE");
        assertThat(render("bridge:{{bucket}}:{other}", change)).isEqualTo("bridge:{orders}:{other}");
    }

    @Test
    void theSeenHashSharesTheStreamsClusterSlot() {
        assertThat(new String(RedisSink.seenKey("bridge:orders".getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8))
                .isEqualTo("{bridge:orders}:seen");
        assertThat(new String(RedisSink.seenKey("bridge:{orders}".getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8))
                .isEqualTo("bridge:{orders}:seen");
    }

    @Test
    void onlyWrongTypeAndMissingPermissionsFailForGood() {
        assertThat(Replies.isPermanent("WRONGTYPE Operation against a key holding the wrong kind of value")).isTrue();
        assertThat(Replies.isPermanent("NOPERM this user has no permissions to run the 'publish' command")).isTrue();
        assertThat(Replies.isPermanent("LOADING Redis is loading the dataset in memory")).isFalse();
        assertThat(Replies.isPermanent("OOM command not allowed when used memory > 'maxmemory'")).isFalse();
    }

    private static String render(String template, Change change) {
        return new String(new Template(template).render(change), StandardCharsets.UTF_8);
    }

    private static MapSettings settings(Map<String, Object> overrides) {
        Map<String, Object> values = new HashMap<>(BASE);
        values.putAll(overrides);
        return new MapSettings("bridge.sinks[2]", values);
    }
}
