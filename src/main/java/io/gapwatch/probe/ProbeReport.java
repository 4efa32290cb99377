package io.gapwatch.probe;

import java.util.List;

/**
 * The result of a run of probes: the verdict, why when it is SKIP or ERROR, and every measurement.
 * {@code asExpected} is null for SKIP and ERROR: those say nothing about the kernel. {@code clockPath} is
 * how the clock crossed the gap (null when the run stopped before the kernel was asked).
 */
public record ProbeReport(
        Variant variant,
        int gapMs,
        int iterations,
        boolean strict,
        TargetInfo target,
        ClockPath clockPath,
        Verdict verdict,
        Verdict expectedVerdict,
        Boolean asExpected,
        String skipReason,
        String error,
        List<Measurement> measurements) {

    public static ProbeReport judged(ProbeRequest request, TargetInfo target, ClockPath clockPath, Verdict verdict,
                                     List<Measurement> measurements) {
        Verdict expected = request.variant().expectedVerdict();
        return new ProbeReport(request.variant(), request.gapMs(), request.iterations(), request.rules().strict(),
                target, clockPath, verdict, expected, verdict == expected, null, null, List.copyOf(measurements));
    }

    public static ProbeReport skipped(ProbeRequest request, TargetInfo target, String reason) {
        return new ProbeReport(request.variant(), request.gapMs(), request.iterations(), request.rules().strict(),
                target, null, Verdict.SKIP, request.variant().expectedVerdict(), null, reason, null, List.of());
    }

    public static ProbeReport broken(ProbeRequest request, TargetInfo target, String error, List<Measurement> measurements) {
        return broken(request, target, null, error, measurements);
    }

    public static ProbeReport broken(ProbeRequest request, TargetInfo target, ClockPath clockPath, String error,
                                     List<Measurement> measurements) {
        return new ProbeReport(request.variant(), request.gapMs(), request.iterations(), request.rules().strict(),
                target, clockPath, Verdict.ERROR, request.variant().expectedVerdict(), null, null, error,
                List.copyOf(measurements));
    }

    /** The same report from another point of view, e.g. the lab's relabelling of a guest's result. */
    public ProbeReport withTarget(TargetInfo newTarget) {
        return new ProbeReport(variant, gapMs, iterations, strict, newTarget, clockPath, verdict, expectedVerdict,
                asExpected, skipReason, error, measurements);
    }
}
