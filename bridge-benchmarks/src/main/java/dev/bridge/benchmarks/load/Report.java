package dev.bridge.benchmarks.load;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import org.HdrHistogram.Histogram;

/**
 * The results as a table for people and as CSV for tools. "× ceiling" is a configuration's writer
 * rate over that of the no-trigger path with the same writers and size, measured in the same run.
 */
final class Report {

    private static final double MB = 1024.0 * 1024.0;

    private final List<Result> results;

    Report(List<Result> results) {
        this.results = List.copyOf(results);
    }

    void print(PrintStream out, boolean showLag) {
        List<Column> columns = new ArrayList<>(List.of(
                new Column("path", -10, r -> r.configuration().path().label),
                new Column("mode", -13, r -> r.configuration().modeLabel()),
                new Column("K", 2, r -> Integer.toString(r.configuration().writers())),
                new Column("S", 6, r -> Sizes.label(r.configuration().valueBytes())),
                new Column("writer/s", 9, r -> rate(r.writerRate())),
                new Column("×ceiling", 8, r -> ceiling(r).map(x -> String.format(Locale.ROOT, "%.2f", x)).orElse("-")),
                new Column("append p50/p99 ms", 17, r -> millis(r.appendTimes(), 50) + " / " + millis(r.appendTimes(), 99)),
                new Column("delivered/s", 11, r -> rate(r.deliveredRate())),
                new Column("lost", 5, r -> count(r.lost())),
                new Column("dup", 4, r -> count(r.duplicates())),
                new Column("p50 ms", 7, r -> millis(r.latency(), 50)),
                new Column("p99 ms", 7, r -> millis(r.latency(), 99)),
                new Column("p99.9 ms", 8, r -> millis(r.latency(), 99.9)),
                new Column("max ms", 7, r -> millis(r.latency(), 100)),
                new Column("cpu µs jvm/pg", 13, r -> ran(r) ? cpu(r.jvmCpuMicrosPerChange()) + " / " + cpu(r.serverCpuMicrosPerChange()) : "-"),
                new Column("heap MB pk/gc", 13, r -> ran(r) ? String.format(Locale.ROOT, "%.0f / %.0f",
                        r.heapPeakBytes() / MB, r.heapAfterGcBytes() / MB) : "-")));
        if (showLag) {
            columns.add(new Column("lag ms", 7, r -> ran(r) ? fixed(r.maxLagNanos() / 1e6) : "-"));
        }
        StringBuilder head = new StringBuilder();
        for (Column c : columns) {
            head.append(c.format(c.title)).append(' ');
        }
        out.println(head.append(" note").toString().stripTrailing());
        out.println("-".repeat(head.length()));
        for (Result r : results) {
            StringBuilder line = new StringBuilder();
            for (Column c : columns) {
                line.append(c.format(c.value.apply(r))).append(' ');
            }
            out.println(line.append(' ').append(r.note()).toString().stripTrailing());
        }
    }

    void writeCsv(Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("path,mode,writers,value_bytes,arrival,changes,seconds,writer_per_s,writer_vs_ceiling,"
                + "append_p50_ms,append_p99_ms,append_p99_9_ms,delivered_per_s,lost,duplicates,unexpected,"
                + "p50_ms,p99_ms,p99_9_ms,max_ms,mean_ms,jvm_cpu_us_per_change,pg_cpu_us_per_change,heap_peak_mb,heap_after_gc_mb,max_lag_ms,note");
        for (Result r : results) {
            Configuration c = r.configuration();
            Histogram h = r.latency();
            Histogram a = r.appendTimes();
            boolean ran = ran(r);
            lines.add(String.join(",", c.path().label, c.modeLabel(), Integer.toString(c.writers()), Integer.toString(c.valueBytes()),
                    r.arrival(), ran ? Long.toString(r.changes()) : "", number(r.seconds()), number(r.writerRate()),
                    ceiling(r).map(Report::number).orElse(""), csvMillis(a, 50), csvMillis(a, 99), csvMillis(a, 99.9),
                    number(r.deliveredRate()), csvCount(r.lost()), csvCount(r.duplicates()), csvCount(r.unexpected()),
                    csvMillis(h, 50), csvMillis(h, 99), csvMillis(h, 99.9), csvMillis(h, 100),
                    h == null || h.getTotalCount() == 0 ? "" : number(h.getMean() / 1000), number(r.jvmCpuMicrosPerChange()),
                    number(r.serverCpuMicrosPerChange()),
                    ran ? number(r.heapPeakBytes() / MB) : "", ran ? number(r.heapAfterGcBytes() / MB) : "",
                    ran ? number(r.maxLagNanos() / 1e6) : "", quoted(r.note())));
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.write(file, lines, StandardCharsets.UTF_8);
    }

    private Optional<Double> ceiling(Result r) {
        Configuration c = r.configuration();
        if (!ran(r)) {
            return Optional.empty();
        }
        return results.stream()
                .filter(o -> o.configuration().path() == Configuration.Kind.NO_TRIGGER && o.configuration().writers() == c.writers()
                        && o.configuration().valueBytes() == c.valueBytes() && ran(o))
                .findFirst()
                .map(o -> r.writerRate() / o.writerRate());
    }

    private static boolean ran(Result r) {
        return !Double.isNaN(r.seconds());
    }

    /** Whole changes per second with thousands separators; {@code -} for NaN. */
    static String rate(double perSecond) {
        return Double.isNaN(perSecond) ? "-" : String.format(Locale.ROOT, "%,.0f", perSecond);
    }

    private static String cpu(double micros) {
        return Double.isNaN(micros) ? "-" : String.format(Locale.ROOT, "%.0f", micros);
    }

    private static String count(long n) {
        return n < 0 ? "-" : Long.toString(n);
    }

    /** A percentile of microseconds in milliseconds, as {@link #fixed}; {@code -} for no values. */
    static String millis(Histogram h, double percentile) {
        return h == null || h.getTotalCount() == 0 ? "-" : fixed(h.getValueAtPercentile(percentile) / 1000.0);
    }

    /** About three significant figures: 0.412, 4.12, 41.2, 412; {@code -} for NaN. */
    static String fixed(double x) {
        if (Double.isNaN(x)) {
            return "-";
        }
        return String.format(Locale.ROOT, x < 1 ? "%.3f" : x < 10 ? "%.2f" : x < 100 ? "%.1f" : "%.0f", x);
    }

    private static String csvCount(long n) {
        return n < 0 ? "" : Long.toString(n);
    }

    private static String csvMillis(Histogram h, double percentile) {
        return h == null || h.getTotalCount() == 0 ? "" : number(h.getValueAtPercentile(percentile) / 1000.0);
    }

    private static String number(double x) {
        return Double.isNaN(x) ? "" : String.format(Locale.ROOT, "%.3f", x);
    }

    private static String quoted(String text) {
        return text.isEmpty() ? "" : "\"" + text.replace("\"", "\"\"") + "\"";
    }

    /** A table column: its title, its width (negative: left-aligned) and how to show a result in it. */
    private record Column(String title, int width, Function<Result, String> value) {
        String format(String text) {
            return String.format(Locale.ROOT, "%" + width + "s", text);
        }
    }
}
