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
 * {@code bridge status}: who leads each partition of this configuration's consumer and the processes
 * standing by, from the database; the state of each sink, from the running bridge's readiness
 * answer when its operations endpoint answers, and its position on the change log.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Shows which process leads each partition of this configuration's consumer, since when and how far",
            "behind it is, the processes standing by, and each sink: its state (delivering, degraded, down) as the running",
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
            leaders(pg.consumers(), s.consumer(), s.partitions(), positions);
            Map<String, Consumers.Consumer> bySink = new LinkedHashMap<>();
            for (Consumers.Consumer p : positions) {
                bySink.merge(p.sink(), p, StatusCommand::sum);
            }
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

    /** Who leads each partition, since when, how far behind it is; then the processes standing by. */
    private void leaders(Consumers consumers, String consumer, int partitions, List<Consumers.Consumer> positions) {
        Map<Integer, Consumers.LeaseHolder> leases = new LinkedHashMap<>();
        consumers.leases(consumer).forEach(l -> leases.put(l.part(), l));
        Map<String, List<Integer>> led = new LinkedHashMap<>();
        for (int part = 0; part < partitions; part++) {
            int p = part;
            long pending = positions.stream().filter(c -> c.part() == p && !c.sink().isEmpty()).mapToLong(Consumers.Consumer::pending).max()
                    .orElse(0);
            Consumers.LeaseHolder lease = leases.get(part);
            String lag = pending + " logged change(s) not passed by its slowest sink";
            if (lease != null && lease.live()) {
                led.computeIfAbsent(lease.holder(), k -> new java.util.ArrayList<>()).add(part);
                env.out().printf("  partition %d of %d: led by %s since %s (epoch %d); %s%n", part, partitions, lease.holder(),
                        lease.since().truncatedTo(java.time.temporal.ChronoUnit.SECONDS), lease.epoch(), lag);
            } else {
                env.out().printf("  partition %d of %d: no leader%s; %s%n", part, partitions, lease == null ? " yet"
                        : " (the last, " + lease.holder() + ", renewed its lease at " + lease.renewedAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + ")",
                        lag);
            }
        }
        for (Consumers.Member m : consumers.members(consumer)) {
            if (m.live()) {
                List<Integer> parts = led.getOrDefault(m.member(), List.of());
                env.out().printf("  process %s: %s%s%n", m.member(), parts.isEmpty() ? "standing by" : "leads " + parts,
                        m.parts() == partitions ? "" : " (set to " + m.parts() + " partitions, not " + partitions + ")");
            }
        }
    }

    /** One sink's positions over the partitions: what they have not passed, added up; the latest save. */
    private static Consumers.Consumer sum(Consumers.Consumer a, Consumers.Consumer b) {
        return new Consumers.Consumer(a.name(), a.sink(), a.part(), a.parts(), a.checkpoint(),
                a.updatedAt().isAfter(b.updatedAt()) ? a.updatedAt() : b.updatedAt(), a.pending() + b.pending(), a.lost() + b.lost(),
                a.lostUntil() == null ? b.lostUntil() : a.lostUntil());
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
