package dev.trawl.bench.pipeline;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Percentiles (nearest rank) and the benchmark's number formats. */
final class Stats {

    private Stats() {
    }

    static double percentile(Collection<? extends Number> values, double p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values.size());
        values.forEach(v -> sorted.add(v.doubleValue()));
        Collections.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    static double median(Collection<? extends Number> values) {
        return percentile(values, 50);
    }

    static double max(Collection<? extends Number> values) {
        return percentile(values, 100);
    }

    static double min(Collection<? extends Number> values) {
        return percentile(values, 0);
    }

    /** Milliseconds as {@code 136 ms} below a second, {@code 9.40 s} above. */
    static String duration(double ms) {
        if (Double.isNaN(ms)) {
            return "n/a";
        }
        if (Math.abs(ms) < 1000) {
            return String.format(Locale.ROOT, "%.0f ms", ms);
        }
        return String.format(Locale.ROOT, "%.2f s", ms / 1000);
    }

    /** p50 / p90 / p99 / max of durations in ms. */
    static String distribution(List<Double> ms) {
        if (ms.isEmpty()) {
            return "n/a";
        }
        return duration(percentile(ms, 50)) + " / " + duration(percentile(ms, 90)) + " / "
                + duration(percentile(ms, 99)) + " / " + duration(max(ms));
    }

    static String number(double value, int decimals) {
        if (Double.isNaN(value)) {
            return "n/a";
        }
        if (Double.isInfinite(value)) {
            return "∞";
        }
        return String.format(Locale.ROOT, "%,." + decimals + "f", value);
    }

    static String integer(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }
}
