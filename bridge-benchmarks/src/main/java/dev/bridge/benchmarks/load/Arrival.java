package dev.bridge.benchmarks.load;

import java.util.Locale;
import java.util.PrimitiveIterator;
import java.util.Random;

/**
 * When the writers send: as fast as each can (closed loop), or at an offered rate that is split
 * evenly over the writers, with uniform or Poisson (exponential) spacing.
 *
 * @param kind the spacing
 * @param rate changes per second offered by all writers together; 0 for a closed loop
 */
record Arrival(Kind kind, double rate) {

    enum Kind { CLOSED, UNIFORM, POISSON }

    Arrival {
        if (kind == Kind.CLOSED ? rate != 0 : !(rate > 0 && Double.isFinite(rate))) {
            throw new IllegalArgumentException("arrival " + kind + " needs " + (kind == Kind.CLOSED ? "no rate" : "a positive rate")
                    + ", got " + rate);
        }
    }

    static final Arrival CLOSED = new Arrival(Kind.CLOSED, 0);

    /**
     * @param text {@code closed}, {@code rate:R} or {@code poisson:R}, R in changes per second
     * @throws IllegalArgumentException naming the accepted forms
     */
    static Arrival parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("closed")) {
            return CLOSED;
        }
        int colon = t.indexOf(':');
        if (colon > 0) {
            String head = t.substring(0, colon);
            try {
                double r = Double.parseDouble(t.substring(colon + 1));
                if (r > 0 && Double.isFinite(r)) {
                    if (head.equals("rate")) {
                        return new Arrival(Kind.UNIFORM, r);
                    }
                    if (head.equals("poisson")) {
                        return new Arrival(Kind.POISSON, r);
                    }
                }
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new IllegalArgumentException("arrival must be closed, rate:R or poisson:R (R changes/s > 0), got '" + text + "'");
    }

    boolean closed() {
        return kind == Kind.CLOSED;
    }

    /**
     * The intended send times of one writer of {@code writers}, in nanoseconds after the common
     * start, increasing without end. Uniform: the writers take turns, so together they send exactly
     * every 1/rate s. Poisson: each writer is a Poisson process of rate/writers, so together they are
     * one of the full rate.
     *
     * @throws IllegalStateException for a closed loop, which has no schedule
     */
    PrimitiveIterator.OfLong schedule(int writer, int writers, long seed) {
        if (kind == Kind.CLOSED) {
            throw new IllegalStateException("a closed loop has no schedule");
        }
        double perWriterGapNanos = 1e9 * writers / rate;
        if (kind == Kind.UNIFORM) {
            double first = 1e9 * writer / rate;
            return new PrimitiveIterator.OfLong() {
                private long i;

                @Override
                public boolean hasNext() {
                    return true;
                }

                @Override
                public long nextLong() {
                    return Math.round(first + perWriterGapNanos * i++);
                }
            };
        }
        Random random = new Random(seed * 31 + writer);
        return new PrimitiveIterator.OfLong() {
            private double at;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public long nextLong() {
                at += -Math.log(1 - random.nextDouble()) * perWriterGapNanos;
                return Math.round(at);
            }
        };
    }

    /** As given on the command line. */
    String label() {
        return switch (kind) {
            case CLOSED -> "closed";
            case UNIFORM -> "rate:" + number(rate);
            case POISSON -> "poisson:" + number(rate);
        };
    }

    private static String number(double r) {
        return r == Math.rint(r) ? Long.toString((long) r) : Double.toString(r);
    }
}
