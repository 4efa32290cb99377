package io.gapwatch.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** Call durations of one kind, thread-safe to add to; percentiles by the nearest-rank method. */
final class Latencies {
    private final List<Long> nanos = Collections.synchronizedList(new ArrayList<>());

    void add(long ns) {
        nanos.add(ns);
    }

    int count() {
        return nanos.size();
    }

    /** The p-th percentile (0 < p <= 100) in milliseconds; NaN when nothing was measured. */
    double percentileMs(double p) {
        List<Long> sorted;
        synchronized (nanos) {
            sorted = new ArrayList<>(nanos);
        }
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        Collections.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1)) / 1e6;
    }

    Map<String, Object> summary() {
        return Map.of("n", count(), "p50Ms", round(percentileMs(50)), "p95Ms", round(percentileMs(95)),
                "p99Ms", round(percentileMs(99)));
    }

    static double round(double v) {
        return Double.isNaN(v) ? v : Math.round(v * 100) / 100.0;
    }
}
