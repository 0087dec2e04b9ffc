package dev.bridge.benchmarks.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The failover mode of {@link FailoverRun}: two processes, one partition, writers at a fixed
 * rate. Each round finds the leader, stops it with kill -9 or SIGTERM and times the failover from
 * just before the signal (T0): to the old process's exit, to the standby's readiness saying it
 * leads, and to the first request the standby sends after T0 (its path names it, so a request
 * still on its way from the old leader cannot count). Then the stopped process is started again
 * and stands by, and after a pause the next round begins, with the roles swapped.
 */
final class FailoverRounds {

    private static final Duration TAKE_OVER_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration LEASE_TIMEOUT = Duration.ofSeconds(10);
    private static final long NONE = -1;

    private final FailoverRun.Context run;
    private final FailoverOptions options;

    FailoverRounds(FailoverRun.Context run) {
        this.run = run;
        this.options = run.options();
    }

    /**
     * @param number from 1
     * @param kill kill -9, else SIGTERM
     * @param stopped the name of the process stopped
     * @param exitMillis T0 to the old process's exit, {@link #NONE} if not within the timeout
     * @param leadsMillis T0 to the standby's readiness saying it leads
     * @param deliversMillis T0 to the first request the standby sent after T0
     * @param repeats arrivals of changes that had arrived before, from T0 to the next round's T0 (or the end)
     */
    record Round(int number, boolean kill, String stopped, long pid, long exitMillis, long leadsMillis, long deliversMillis,
            Requests.Repeats repeats) {

        Round withRepeats(Requests.Repeats r) {
            return new Round(number, kill, stopped, pid, exitMillis, leadsMillis, deliversMillis, r);
        }
    }

    boolean run() throws InterruptedException {
        List<BridgeProcess> processes = List.of(run.process("a", 1), run.process("b", 1));
        try {
            BridgeProcess a = processes.get(0);
            BridgeProcess b = processes.get(1);
            a.start();
            a.awaitRole(leads(), "leader", FailoverRun.START_TIMEOUT);
            b.start();
            b.awaitRole(BridgeProcess::standby, "standing by", FailoverRun.START_TIMEOUT);
            run.writers().startWarmup();
            run.writers().awaitWarmedUp();
            run.writers().measure();
            run.say("a (pid %d) leads, b (pid %d) stands by; writers at %s changes/s", a.pid(), b.pid(), Report.rate(options.rate()));
            Thread.sleep(options.pause().toMillis());
            List<Round> rounds = new ArrayList<>();
            List<Boolean> signals = options.signals();
            long repeatsBefore = 0;
            for (int i = 0; i < signals.size(); i++) {
                Round round = round(i + 1, signals.get(i), processes);
                if (rounds.isEmpty()) {
                    repeatsBefore = round.repeats().count();
                } else {
                    rounds.set(rounds.size() - 1, rounds.get(rounds.size() - 1).withRepeats(round.repeats()));
                }
                rounds.add(round);
            }
            run.drain();
            rounds.set(rounds.size() - 1, rounds.get(rounds.size() - 1).withRepeats(run.requests().newRound(System.nanoTime())));
            print(rounds, repeatsBefore);
            boolean clean = run.checks();
            return clean && rounds.stream().allMatch(r -> r.deliversMillis() != NONE);
        } finally {
            processes.forEach(BridgeProcess::close);
        }
    }

    /** One round; its repeats are those of the round before (counted up to this round's T0). */
    private Round round(int number, boolean kill, List<BridgeProcess> processes) throws InterruptedException {
        BridgeProcess leader = leader(processes);
        BridgeProcess standby = processes.get(0) == leader ? processes.get(1) : processes.get(0);
        AtomicLong exitAt = new AtomicLong();
        leader.process().onExit().thenRun(() -> exitAt.set(System.nanoTime()));
        long t0 = System.nanoTime();
        Requests.Repeats before = run.requests().newRound(t0);
        run.requests().await(standby.name(), t0);
        leader.signal(kill);
        long leadsAt = 0;
        long deliversAt = 0;
        long giveUp = t0 + TAKE_OVER_TIMEOUT.toNanos();
        while ((leadsAt == 0 || deliversAt == 0 || exitAt.get() == 0) && System.nanoTime() < giveUp) {
            if (leadsAt == 0 && BridgeProcess.partitionsLed(standby.role()) == 1) {
                leadsAt = System.nanoTime();
            }
            deliversAt = run.requests().awaitedAt();
            Thread.sleep(5);
        }
        Round round = new Round(number, kill, leader.name(), leader.pid(), since(t0, exitAt.get()), since(t0, leadsAt),
                since(t0, deliversAt), before);
        run.say("round %d: %s of %s (pid %d): exited after %s ms, %s leads after %s ms, delivers after %s ms", number,
                kill ? "kill -9" : "SIGTERM", leader.name(), leader.pid(), shown(round.exitMillis()), standby.name(),
                shown(round.leadsMillis()), shown(round.deliversMillis()));
        if (leader.alive()) {
            leader.stop(FailoverRun.STOP_PATIENCE);
        }
        leader.start();
        leader.awaitRole(BridgeProcess::standby, "standing by", FailoverRun.START_TIMEOUT);
        Thread.sleep(options.pause().toMillis());
        return round;
    }

    /** The process whose readiness says it leads the partition and whose pid the lease names; waits for both to agree. */
    private BridgeProcess leader(List<BridgeProcess> processes) throws InterruptedException {
        long giveUp = System.nanoTime() + LEASE_TIMEOUT.toNanos();
        while (System.nanoTime() < giveUp) {
            long holder = run.leaseHolderPid(0);
            for (BridgeProcess p : processes) {
                if (p.alive() && p.pid() == holder && leads().test(p.role())) {
                    return p;
                }
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("no process both leads by its readiness and holds the lease (holder pid "
                + run.leaseHolderPid(0) + ")");
    }

    private static Predicate<String> leads() {
        return role -> BridgeProcess.partitionsLed(role) == 1;
    }

    private void print(List<Round> rounds, long repeatsBefore) {
        var out = run.out();
        out.println();
        out.printf(Locale.ROOT, "repeats before the first round: %,d%n", repeatsBefore);
        out.println("T0 is just before the signal. exit: T0 to the old leader's process ending. leads: T0 to the standby's"
                + " /health/ready role saying leader (polled about every 10 ms). delivers: T0 to the first webhook request the"
                + " standby sent after T0 (each process posts to its own path, so nothing the old leader sent counts).");
        out.println("repeats: arrivals, from this round's T0 to the next one's, of a change that had arrived before; oldest: how long"
                + " before T0 the earliest of them had first arrived (the window the old leader had not settled).");
        out.printf("%5s  %-7s  %-7s  %7s  %8s  %8s  %8s  %7s  %10s%n", "round", "signal", "stopped", "pid", "exit ms", "leads ms",
                "delivers", "repeats", "oldest ms");
        for (Round r : rounds) {
            out.printf(Locale.ROOT, "%5d  %-7s  %-7s  %7d  %8s  %8s  %8s  %7d  %10s%n", r.number(), r.kill() ? "kill -9" : "SIGTERM",
                    r.stopped(), r.pid(), shown(r.exitMillis()), shown(r.leadsMillis()), shown(r.deliversMillis()), r.repeats().count(),
                    r.repeats().count() == 0 ? "-" : String.format(Locale.ROOT, "%,d", FailoverRun.Context.millis(r.repeats().oldestNanos())));
        }
        out.println();
        for (boolean kill : new boolean[] {true, false}) {
            List<Round> these = rounds.stream().filter(r -> r.kill() == kill).toList();
            if (these.isEmpty()) {
                continue;
            }
            String signal = kill ? "kill -9" : "SIGTERM";
            Distribution delivers = distribution(these, Round::deliversMillis);
            out.printf(Locale.ROOT, "%s, T0 to the standby's first delivery: %s%n", signal, delivers.describe());
            out.printf(Locale.ROOT, "%s, T0 to the standby's readiness saying leader: %s%n", signal,
                    distribution(these, Round::leadsMillis).describe());
            out.printf(Locale.ROOT, "%s, T0 to the old process's exit: %s%n", signal, distribution(these, Round::exitMillis).describe());
            long missing = these.stream().filter(r -> r.deliversMillis() == NONE).count();
            long repeats = these.stream().mapToLong(r -> r.repeats().count()).sum();
            out.printf(Locale.ROOT, "%s: %d rounds, %d without a delivery within %d s, repeats %,d in all (%s per round)%n", signal,
                    these.size(), missing, TAKE_OVER_TIMEOUT.toSeconds(), repeats,
                    String.format(Locale.ROOT, "%.1f", (double) repeats / these.size()));
            if (delivers.count() > 0) {
                long target = kill ? 2_000 : 1_000;
                long p99 = delivers.percentile(99);
                out.printf(Locale.ROOT, "target %s: p99 %s %,d ms: %s%n", signal, kill ? "within" : "under", target,
                        (kill ? p99 <= target : p99 < target) ? "met (" + String.format(Locale.ROOT, "%,d", p99) + " ms)"
                                : String.format(Locale.ROOT, "missed by %,d ms (p99 %,d ms)", p99 - target, p99));
            }
        }
    }

    private static Distribution distribution(List<Round> rounds, java.util.function.ToLongFunction<Round> value) {
        List<Long> values = new ArrayList<>();
        for (Round r : rounds) {
            long v = value.applyAsLong(r);
            if (v != NONE) {
                values.add(v);
            }
        }
        return Distribution.of(values);
    }

    private static long since(long t0, long at) {
        return at == 0 ? NONE : FailoverRun.Context.millis(at - t0);
    }

    private static String shown(long millis) {
        return millis == NONE ? "-" : String.format(Locale.ROOT, "%,d", millis);
    }
}
