package dev.bridge.app;

import static dev.bridge.app.Cli.OK;
import static dev.bridge.app.Cli.withPostgres;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bridge.app.Cli.Common;
import dev.bridge.app.Cli.Env;
import dev.bridge.app.config.OpsSettings;
import dev.bridge.app.ops.OpsServer;
import dev.bridge.postgres.Consumers;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code bridge status}: the state of each sink of this configuration's consumer, from the running
 * bridge's readiness answer when its operations endpoint answers, and its position on the change
 * log from the database.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Shows each sink of this configuration's consumer: its state (delivering, degraded, down) as the running",
            "bridge's operations endpoint reports it, and how far behind it is on the change log."})
final class StatusCommand implements Callable<Integer> {
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(2);

    private final Env env;

    @Mixin
    Common common;

    StatusCommand(Env env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        return withPostgres(env, common, (pg, s) -> {
            Map<String, String> states = new LinkedHashMap<>();
            Optional<String> daemon = ask(s.ops(), states);
            env.out().println("consumer " + s.consumer() + ": " + daemon.orElse("no running bridge answers at " + address(s.ops())
                    + "; states are unknown, positions are the database's"));
            List<Consumers.Consumer> positions = pg.consumers().list().stream().filter(c -> c.name().equals(s.consumer())).toList();
            Map<String, Consumers.Consumer> bySink = new LinkedHashMap<>();
            positions.forEach(p -> bySink.put(p.sink(), p));
            for (var spec : s.sinks()) {
                String sink = spec.name();
                Consumers.Consumer at = bySink.remove(sink);
                env.out().printf("  sink %s: %s; %s%n", sink, states.getOrDefault("sink " + sink, "state unknown"),
                        at == null ? "no checkpoint yet (it starts when the bridge first runs with it)" : position(at));
            }
            bySink.values().forEach(at -> env.out().printf("  sink %s: not configured, but its checkpoint holds the change log; %s"
                    + " (`bridge checkpoint drop --consumer %s --sink %s` if it is no longer used)%n", at.sink().isEmpty() ? "''" : at.sink(),
                    position(at), s.consumer(), at.sink()));
            return OK;
        });
    }

    private static String position(Consumers.Consumer at) {
        return at.pending() + " logged change(s) not passed, checkpoint saved " + at.updatedAt()
                + (at.lost() == 0 ? "" : ", lost " + at.lost() + " to the maximum retention (the last made " + at.lostUntil() + ")");
    }

    private static String address(OpsSettings ops) {
        String host = ops.host().equals("0.0.0.0") || ops.host().equals("::") ? "127.0.0.1" : ops.host();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + ops.port();
    }

    /** The running bridge's readiness, its checks put into {@code checks}; empty if no bridge answers. */
    private Optional<String> ask(OpsSettings ops, Map<String, String> checks) {
        if (!ops.enabled()) {
            return Optional.empty();
        }
        HttpClient client = HttpClient.newBuilder().connectTimeout(ASK_TIMEOUT).build();
        try {
            HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create(address(ops) + OpsServer.READY_PATH))
                    .timeout(ASK_TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = new ObjectMapper().readTree(answer.body());
            json.path("checks").fields().forEachRemaining(e -> checks.put(e.getKey(), e.getValue().asText()));
            return Optional.of("the bridge at " + address(ops) + " is " + ("UP".equals(json.path("status").asText()) ? "ready" : "not ready")
                    + " (" + checks.getOrDefault("bridge", "?") + ", listener " + checks.getOrDefault("listener", "?") + ")");
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
