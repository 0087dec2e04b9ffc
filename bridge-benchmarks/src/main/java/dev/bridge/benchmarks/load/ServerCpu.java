package dev.bridge.benchmarks.load;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU time used so far by an embedded PostgreSQL on Linux: its postmaster, the backends and
 * background processes running now, and those that have exited (which Linux adds to the
 * postmaster's children's time). Read from {@code /proc}, in clock ticks of 10 ms (USER_HZ 100),
 * so it is only meaningful over seconds.
 */
final class ServerCpu {

    private static final long NANOS_PER_TICK = 10_000_000L;

    private final long postmaster;

    private ServerCpu(long postmaster) {
        this.postmaster = postmaster;
    }

    /** For the server whose data directory is {@code dataDir}; null where {@code /proc} or its pid file is missing. */
    static ServerCpu of(Path dataDir) {
        try {
            List<String> pidFile = Files.readAllLines(dataDir.resolve("postmaster.pid"));
            long pid = Long.parseLong(pidFile.get(0).trim());
            return Files.isReadable(Path.of("/proc", Long.toString(pid), "stat")) ? new ServerCpu(pid) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Nanoseconds of CPU so far, or -1 if it cannot be read. */
    long nanos() {
        long[] own = times(postmaster);
        if (own == null) {
            return -1;
        }
        long ticks = own[0] + own[1] + own[2] + own[3];
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path p : procs) {
                long[] child = times(Long.parseLong(p.getFileName().toString()));
                if (child != null && child[4] == postmaster) {
                    ticks += child[0] + child[1];
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return ticks * NANOS_PER_TICK;
    }

    /** Nanoseconds of CPU one process has used so far (user and system, its threads included), or -1 if it is gone. */
    static long processNanos(long pid) {
        long[] t = times(pid);
        return t == null ? -1 : (t[0] + t[1]) * NANOS_PER_TICK;
    }

    /** The whole machine's CPU ticks so far from {@code /proc/stat}: busy (all but idle and iowait) and in all; null if unreadable. */
    static long[] machineTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long all = 0;
            for (int i = 1; i < Math.min(f.length, 9); i++) {
                all += Long.parseLong(f[i]);
            }
            return new long[] {all - Long.parseLong(f[4]) - Long.parseLong(f[5]), all};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** utime, stime, cutime, cstime and the parent's pid of a process; null if it is gone. */
    private static long[] times(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name in parentheses may hold spaces; the fields after it are numbered from 3.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]), Long.parseLong(f[14]),
                    Long.parseLong(f[1])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
