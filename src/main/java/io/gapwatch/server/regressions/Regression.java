package io.gapwatch.server.regressions;

import io.gapwatch.server.series.ComparisonView;
import io.gapwatch.server.series.SeriesKey;

import java.time.Instant;

/**
 * A row of the regressions table.
 *
 * @param kernelSeries   the kernel's series (flavour), e.g. 6.12-amd64: at most one open regression per series,
 *                       variant, gap and backend
 * @param lastGoodKernel the newest kernel of the series seen good when it was raised: where bisection starts
 * @param comparison     the numbers: the confirmation's comparison once confirmed, the sweep's before
 * @param cleanSweeps    consecutive sweeps since it was last seen
 */
public record Regression(long id, RegressionState state, RegressionKind kind, String kernel, String kernelSeries,
                         String variant, int gapMs, String backend, String baselineKernel, String lastGoodKernel,
                         int iterations, Long sweepId, ComparisonView comparison, String reason,
                         String acknowledgedReason, int cleanSweeps, Instant firstSeenAt, Instant lastSeenAt,
                         Instant declaredAt, Instant resolvedAt) {

    public SeriesKey key() {
        return new SeriesKey(kernel, variant, gapMs, backend);
    }
}
