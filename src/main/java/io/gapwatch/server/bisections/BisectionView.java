package io.gapwatch.server.bisections;

import io.swagger.v3.oas.annotations.media.Schema;

import java.time.Instant;
import java.util.List;

/** A bisection with every step taken so far. */
public record BisectionView(long id, BisectionState state, String good, String bad, String variant, int gapMs,
                            String backend,
                            @Schema(description = "true for the sim backend: a model, never a kernel result")
                            boolean simulated,
                            int iterations,
                            @Schema(description = "the kernels bisected over, in order: Debian version order, or a patch series' prefixes k = 0..n")
                            List<String> kernels,
                            String lastGood,
                            @Schema(description = "the answer: the first bad kernel, once FOUND")
                            String firstBad,
                            @Schema(description = "once AMBIGUOUS (only kernels that could not be tested were left): "
                                    + "the kernels the first bad one can be, oldest first; empty otherwise")
                            List<String> firstBadCandidates,
                            String reason, Long regressionId, Instant createdAt, Instant finishedAt,
                            List<BisectionStep> steps) {

    static BisectionView of(Bisection b, List<BisectionStep> steps) {
        return new BisectionView(b.id(), b.state(), b.good(), b.bad(), b.variant(), b.gapMs(), b.backend(),
                "sim".equals(b.backend()), b.iterations(), b.kernels(), b.kernels().get(b.goodIndex()), b.firstBad(),
                b.firstBadCandidates(),
                b.reason(), b.regressionId(), b.createdAt(), b.finishedAt(), steps);
    }

    public record Page(List<BisectionView> items, int page, int size, long total) {
    }
}
