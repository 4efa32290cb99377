package io.gapwatch.server.regressions;

import io.gapwatch.server.bisections.Bisection;
import io.gapwatch.server.bisections.BisectionState;
import io.gapwatch.server.series.ComparisonView;
import io.swagger.v3.oas.annotations.media.Schema;

import java.time.Instant;
import java.util.List;

/** A regression as the API shows it: what regressed, against what, the numbers, the evidence, the bisection. */
public record RegressionView(long id, RegressionState state, RegressionKind kind,
                             @Schema(description = "the regressed kernel: the first bad one once a bisection found it")
                             String kernel,
                             String kernelSeries, String variant, int gapMs, String backend,
                             @Schema(description = "true for the sim backend: a model, never a kernel result")
                             boolean simulated,
                             String baselineKernel, String lastGoodKernel,
                             @Schema(description = "the comparison behind it: the confirmation's once ACTIVE")
                             ComparisonView numbers,
                             String reason, String acknowledgedReason, int cleanSweeps, Long sweepId,
                             Instant firstSeenAt, Instant lastSeenAt, Instant declaredAt, Instant resolvedAt,
                             @Schema(description = "the runs that are its evidence: the sweep's and the confirmation re-runs")
                             List<Evidence> evidence,
                             BisectionSummary bisection) {

    public record BisectionSummary(long id, BisectionState state, String firstBad) {
        static BisectionSummary of(Bisection b) {
            return b == null ? null : new BisectionSummary(b.id(), b.state(), b.firstBad());
        }
    }

    static RegressionView of(Regression r, List<Evidence> evidence, Bisection bisection) {
        return new RegressionView(r.id(), r.state(), r.kind(), r.kernel(), r.kernelSeries(), r.variant(), r.gapMs(),
                r.backend(), "sim".equals(r.backend()), r.baselineKernel(), r.lastGoodKernel(), r.comparison(),
                r.reason(), r.acknowledgedReason(), r.cleanSweeps(), r.sweepId(), r.firstSeenAt(), r.lastSeenAt(),
                r.declaredAt(), r.resolvedAt(), evidence, BisectionSummary.of(bisection));
    }

    public record Page(List<RegressionView> items, int page, int size, long total) {
    }
}
