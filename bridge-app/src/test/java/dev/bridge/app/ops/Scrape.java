package dev.bridge.app.ops;

import java.util.LinkedHashMap;
import java.util.Map;

/** Reads a Prometheus text scrape as series (name and labels, as printed) to values. */
final class Scrape {

    private Scrape() {
    }

    static Map<String, Double> parse(String text) {
        Map<String, Double> series = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            series.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return series;
    }

    /** The count of the highest bucket whose bound is at most {@code bound}. */
    static double bucketAtOrBelow(Map<String, Double> series, String histogram, String labels, double bound) {
        String prefix = histogram + "_bucket{" + labels + ",le=\"";
        double best = -1;
        double count = 0;
        for (Map.Entry<String, Double> s : series.entrySet()) {
            if (s.getKey().startsWith(prefix) && !s.getKey().endsWith("+Inf\"}")) {
                double le = Double.parseDouble(s.getKey().substring(prefix.length(), s.getKey().length() - 2));
                if (le <= bound && le > best) {
                    best = le;
                    count = s.getValue();
                }
            }
        }
        return count;
    }
}
