package dev.bridge.benchmarks.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One bridge process of a run: {@code java OPTS -jar bridge.jar run --config FILE} with its own
 * configuration file and operations port, the {@code DB_*} variables of the run's PostgreSQL, and
 * its output in a log file of its own for each start ({@code a-1.log}, {@code a-2.log}, …). It is
 * known from outside only: its pid, its {@code /health/ready} and its CPU time in {@code /proc}.
 */
final class BridgeProcess implements AutoCloseable {

    private static final Pattern ROLE = Pattern.compile("\"role\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern LEADS = Pattern.compile("leader of partitions? ([0-9, ]+) of (\\d+).*");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    /** How every process of a run is started: which java, which jar and JVM options, the environment, where the files go. */
    record Launch(Path java, Path jar, List<String> jvmOptions, Map<String, String> env, Path dir) {
    }

    private final String name;
    private final Launch launch;
    private final Path config;
    private final int opsPort;
    private Process process;
    private int starts;

    /** @param configuration the text of its configuration file, written now */
    BridgeProcess(String name, Launch launch, String configuration) {
        this.name = name;
        this.launch = launch;
        this.config = launch.dir().resolve(name + ".conf");
        this.opsPort = freePort();
        try {
            Files.writeString(config, configuration);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + config, e);
        }
    }

    String name() {
        return name;
    }

    /** Starts it (again); the previous start must have ended. */
    synchronized void start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is running already");
        }
        List<String> command = new ArrayList<>();
        command.add(launch.java().toString());
        command.addAll(launch.jvmOptions());
        command.addAll(List.of("-jar", launch.jar().toString(), "run", "--config", config.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).directory(launch.dir().toFile()).redirectErrorStream(true)
                .redirectOutput(launch.dir().resolve(name + "-" + ++starts + ".log").toFile());
        builder.environment().putAll(launch.env());
        builder.environment().put("BRIDGE_OPS_PORT", Integer.toString(opsPort));
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name + ": " + String.join(" ", command), e);
        }
    }

    synchronized Process process() {
        if (process == null) {
            throw new IllegalStateException(name + " was never started");
        }
        return process;
    }

    long pid() {
        return process().pid();
    }

    boolean alive() {
        return process != null && process().isAlive();
    }

    /** The {@code role} check of its readiness, or empty while it does not answer. */
    String role() {
        try {
            HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + opsPort + "/health/ready"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            Matcher m = ROLE.matcher(answer.body());
            return m.find() ? m.group(1) : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking " + name + " for its role", e);
        }
    }

    /** How many partitions a role says its process leads: 0 for a standby or any other role. */
    static int partitionsLed(String role) {
        Matcher m = LEADS.matcher(role);
        return m.matches() ? m.group(1).split(",").length : 0;
    }

    static boolean standby(String role) {
        return role.startsWith("standby");
    }

    /**
     * Polls its role every 10 ms until {@code wanted} accepts it; returns when that was (nanoTime).
     *
     * @throws IllegalStateException if it has not within {@code timeout}, or the process ended
     */
    long awaitRole(Predicate<String> wanted, String what, Duration timeout) throws InterruptedException {
        long giveUp = System.nanoTime() + timeout.toNanos();
        String role = "";
        while (System.nanoTime() < giveUp) {
            role = role();
            if (wanted.test(role)) {
                return System.nanoTime();
            }
            if (!alive()) {
                throw new IllegalStateException(name + " ended (exit " + process().exitValue() + ") before it was " + what + "; see "
                        + launch.dir().resolve(name + "-" + starts + ".log"));
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException(name + " was not " + what + " within " + timeout.toSeconds() + " s; its role: '" + role + "'");
    }

    /** kill -9 ({@code forcibly}) or SIGTERM. */
    void signal(boolean forcibly) {
        if (forcibly) {
            process().destroyForcibly();
        } else {
            process().destroy();
        }
    }

    /** Nanoseconds of CPU it has used so far in this start, or -1 if it has ended. */
    long cpuNanos() {
        return alive() ? ServerCpu.processNanos(pid()) : -1;
    }

    /** SIGTERM, and kill -9 if it has not ended within {@code patience}; returns its exit code. */
    int stop(Duration patience) throws InterruptedException {
        Process p = process();
        p.destroy();
        if (!p.waitFor(patience.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            p.waitFor();
        }
        return p.exitValue();
    }

    @Override
    public synchronized void close() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }
}
