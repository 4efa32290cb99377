package io.gapwatch.server.series;

import io.gapwatch.probe.ProbeRequest;
import io.gapwatch.probe.Variant;
import io.gapwatch.server.web.FieldProblem;

import java.util.List;

/**
 * What the runs of a comparison share: one variant at one gap, with enough iterations on each side to be
 * compared. A bisection's steps and a patch series' sweeps are asked for with these three fields.
 */
public record ComparedRuns(String variant, int gapMs, int iterations) {

    /**
     * The request's fields checked, with the defaults filled in; each problem found is added to {@code problems}
     * under its field's name, and then the value returned is not to be used.
     *
     * @param defaultVariant the variant when none is asked for, or null where the request must name one
     */
    public static ComparedRuns of(String variant, Integer gapMs, Integer iterations, Variant defaultVariant,
                                  AnalysisProperties analysis, List<FieldProblem> problems) {
        String id = defaultVariant == null ? null : defaultVariant.id();
        if (variant == null && defaultVariant == null) {
            problems.add(new FieldProblem("variant", "is required; one of " + Variant.ids()));
        } else if (variant != null) {
            try {
                id = Variant.fromId(variant).id();
            } catch (IllegalArgumentException e) {
                problems.add(new FieldProblem("variant", e.getMessage()));
            }
        }
        int gap = gapMs == null ? ProbeRequest.DEFAULT_GAP_MS : gapMs;
        if (gap < 1 || gap > ProbeRequest.MAX_GAP_MS) {
            problems.add(new FieldProblem("gapMs", "must be between 1 and " + ProbeRequest.MAX_GAP_MS + ", was " + gap));
        }
        int n = iterations == null ? analysis.confirmationIterations() : iterations;
        if (n < analysis.minSamples() || n > ProbeRequest.MAX_ITERATIONS) {
            problems.add(new FieldProblem("iterations", "must be between " + analysis.minSamples()
                    + " (fewer cannot be compared) and " + ProbeRequest.MAX_ITERATIONS + ", was " + n));
        }
        return new ComparedRuns(id, gap, n);
    }
}
