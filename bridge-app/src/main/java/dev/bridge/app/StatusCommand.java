package dev.bridge.app;

import static dev.bridge.app.Cli.FAILED;
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
            "bridge's operations endpoint reports it, and how far behind it is on the change log. Exit code 0 when the",
            "bridge answers, is ready and no sink is down, else 1."})
final class StatusCommand implements Callable<Integer> {
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(2);

    private final Env env;

    @Mixin
    Common common;

    StatusCommand(Env env) {
        this.env = env;
    }

    /** 0 when the running bridge answers, is ready and no sink of it is down; else 1. */
    @Override
    public Integer call() {
        return withPostgres(env, common, (pg, s) -> {
            Map<String, String> states = new LinkedHashMap<>();
            Answer answer = ask(s.ops(), s.consumer(), states);
            env.out().println("consumer " + s.consumer() + ": " + answer.text());
            List<Consumers.Consumer> positions = pg.consumers().list().stream().filter(c -> c.name().equals(s.consumer())).toList();
            Map<String, Consumers.Consumer> bySink = new LinkedHashMap<>();
            positions.forEach(p -> bySink.put(p.sink(), p));
            boolean down = false;
            for (var spec : s.sinks()) {
                String sink = spec.name();
                Consumers.Consumer at = bySink.remove(sink);
                String state = states.getOrDefault("sink " + sink, "state unknown");
                down |= state.startsWith("down");
                env.out().printf("  sink %s: %s; %s%n", sink, state,
                        at == null ? "no checkpoint yet (it starts when the bridge first runs with it)" : position(at));
            }
            for (Consumers.Consumer at : bySink.values()) {
                if (at.sink().isEmpty()) {
                    env.out().printf("  the consumer's one checkpoint from before each sink had its own: %s; the next start carries it over"
                            + " to each sink (do not drop it)%n", position(at));
                } else {
                    env.out().printf("  sink %s: not configured, but its checkpoint holds the change log; %s (`bridge checkpoint drop"
                            + " --consumer '%s' --sink '%s'` if it is no longer used)%n", at.sink(), position(at), s.consumer(), at.sink());
                }
            }
            return answer.ready() && !down ? OK : FAILED;
        });
    }

    private record Answer(boolean ready, String text) {
    }

    private static String position(Consumers.Consumer at) {
        return at.pending() + " logged change(s) not passed, checkpoint saved " + at.updatedAt()
                + (at.lost() == 0 ? "" : ", lost " + at.lost() + " to the maximum retention (the last made " + at.lostUntil() + ")");
    }

    private static String address(OpsSettings ops) {
        String host = ops.host().equals("0.0.0.0") || ops.host().equals("::") ? "127.0.0.1" : ops.host();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + ops.port();
    }

    /** The running bridge's readiness, its checks put into {@code checks} if it is this consumer's bridge. */
    private Answer ask(OpsSettings ops, String consumer, Map<String, String> checks) {
        String unknown = "; states are unknown, positions are the database's";
        if (!ops.enabled()) {
            return new Answer(false, "the operations endpoint is off in this configuration (bridge.ops.enabled = false)" + unknown);
        }
        if (ops.port() == 0) {
            return new Answer(false, "the operations endpoint's port is picked when the bridge starts (bridge.ops.port = 0; its log"
                    + " says which)" + unknown);
        }
        HttpClient client = HttpClient.newBuilder().connectTimeout(ASK_TIMEOUT).build();
        HttpResponse<String> answer;
        try {
            answer = client.send(HttpRequest.newBuilder(URI.create(address(ops) + OpsServer.READY_PATH)).timeout(ASK_TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException | IllegalArgumentException e) {
            return new Answer(false, "no running bridge answers at " + address(ops) + unknown);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(false, "interrupted" + unknown);
        }
        Map<String, String> found = new LinkedHashMap<>();
        try {
            JsonNode json = new ObjectMapper().readTree(answer.body());
            json.path("checks").fields().forEachRemaining(e -> found.put(e.getKey(), e.getValue().asText()));
            if (!found.containsKey("bridge") || !found.containsKey("consumer")) {
                return new Answer(false, "something other than a bridge answers at " + address(ops) + " (HTTP " + answer.statusCode() + ")"
                        + unknown);
            }
            if (!found.get("consumer").equals(consumer)) {
                return new Answer(false, "the bridge at " + address(ops) + " runs consumer " + found.get("consumer") + ", not this one"
                        + unknown);
            }
            checks.putAll(found);
            boolean ready = "UP".equals(json.path("status").asText());
            return new Answer(ready, "the bridge at " + address(ops) + " is " + (ready ? "ready" : "not ready") + " (" + found.get("bridge")
                    + ", listener " + found.getOrDefault("listener", "?") + ")");
        } catch (IOException e) {
            return new Answer(false, "something other than a bridge answers at " + address(ops) + " (HTTP " + answer.statusCode() + ")"
                    + unknown);
        }
    }
}
