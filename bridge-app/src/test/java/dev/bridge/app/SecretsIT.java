package dev.bridge.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No secret reaches any output of the runnable jar, --debug included: a distinct secret in every
 * place one can hide — a Redis password in URIs that do and do not parse, the user info of a bad
 * webhook URL, a header value, a query string, the database password — and every line the jar
 * writes searched for each.
 */
class SecretsIT {

    @TempDir
    Path dir;

    @Test
    void noSecretAppearsInTheConfigurationsErrors() throws Exception {
        Path conf = dir.resolve("bad.conf");
        Files.writeString(conf, """
                bridge.sinks = [
                  { type = redis, name = r1, uri = "Redis://:UPPERCASESCHEMESECRET@127.0.0.1:1" }
                  { type = redis, name = r2, uri = "redis:/:ONESLASHSECRET@127.0.0.1:1" }
                  { type = redis, name = r3, uri = "redis://:PASS/WITHSLASHSECRET@127.0.0.1:1", mode = nope }
                  { type = webhook, name = w1, url = "http//admin:NOSCHEMECOLONSECRET@127.0.0.1/x" }
                  { type = webhook, name = w2, url = "http://127.0.0.1/x?token=QUERYSECRET", headers { Cookie = "COOKIESECRET" }, timeout = soon }
                  { type = webhook, name = w3, url = "http://127.0.0.1/x", headers { "X Bad" = "BADHEADERSECRET" } }
                ]
                """);
        String output = run(Map.of("DB_PASSWORD", "DATABASESECRET"), "schema", "status", "--config", conf.toString(), "--debug");

        assertThat(output).contains("the configuration has").contains("bridge.sinks[0]", "bridge.sinks[4]");
        assertNoSecret(output, "UPPERCASESCHEMESECRET", "ONESLASHSECRET", "WITHSLASHSECRET", "NOSCHEMECOLONSECRET",
                "QUERYSECRET", "COOKIESECRET", "BADHEADERSECRET", "DATABASESECRET");
    }

    @Test
    void noSecretAppearsWhileRunningAndFailing() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            Path conf = dir.resolve("run.conf");
            Files.writeString(conf, """
                    bridge.ops.port = 0
                    bridge.sinks = [
                      { type = webhook, name = hook, url = "http://hookuser:WEBHOOKPASSWORDSECRET@127.0.0.1:9/x?token=RUNQUERYSECRET",
                        secrets = ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
                        headers { Cookie = "RUNCOOKIESECRET", X-Api-Key = "APIKEYSECRET", X-Team = "TEAMHEADERSECRET" } }
                      { type = redis, name = cache, uri = "redis://:REDISPASSWORDSECRET@127.0.0.1:9" }
                    ]
                    """);
            String output = run(Map.of("DB_HOST", "127.0.0.1", "DB_PORT", Integer.toString(pg.getPort()), "DB_USER", "postgres",
                    "DB_PASSWORD", "RUNDATABASESECRET"), "run", "--config", conf.toString(), "--debug");

            assertThat(output).contains("redis sink 'cache' could not connect");
            assertNoSecret(output, "WEBHOOKPASSWORDSECRET", "RUNQUERYSECRET", "RUNCOOKIESECRET", "APIKEYSECRET", "TEAMHEADERSECRET",
                    "REDISPASSWORDSECRET", "RUNDATABASESECRET", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        }
    }

    private static void assertNoSecret(String output, String... secrets) {
        for (String secret : secrets) {
            assertThat(output).as("output holding %s:%n%s", secret, output).doesNotContain(secret);
        }
    }

    /** Runs the jar to its end (at most a minute) and returns all it wrote, standard output and error together. */
    private String run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", Path.of("target", "bridge.jar").toAbsolutePath().toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("BRIDGE_") || name.startsWith("DB_"));
        builder.environment().putAll(env);
        Process process = builder.start();
        byte[] out = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new String(out, StandardCharsets.UTF_8);
    }
}
