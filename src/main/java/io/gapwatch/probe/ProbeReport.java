package io.gapwatch.probe;

import java.util.List;

/**
 * The result of a run of probes: the verdict, why when it is SKIP or ERROR, and every measurement.
 * {@code asExpected} is null for SKIP and ERROR: those say nothing about the kernel.
 */
public record ProbeReport(
        Variant variant,
        int gapMs,
        int iterations,
        boolean strict,
        TargetInfo target,
        Verdict verdict,
        Verdict expectedVerdict,
        Boolean asExpected,
        String skipReason,
        String error,
        List<Measurement> measurements) {

    public static ProbeReport judged(ProbeRequest request, TargetInfo target, Verdict verdict, List<Measurement> measurements) {
        Verdict expected = request.variant().expectedVerdict();
        return new ProbeReport(request.variant(), request.gapMs(), request.iterations(), request.rules().strict(),
                target, verdict, expected, verdict == expected, null, null, List.copyOf(measurements));
    }

    public static ProbeReport skipped(ProbeRequest request, TargetInfo target, String reason) {
        return new ProbeReport(request.variant(), request.gapMs(), request.iterations(), request.rules().strict(),
                target, Verdict.SKIP, request.variant().expectedVerdict(), null, reason, null, List.of());
    }

    public static ProbeReport broken(ProbeRequest request, TargetInfo target, String error, List<Measurement> measurements) {
        return new ProbeReport(request.variant(), request.gapMs(), request.iterations(), request.rules().strict(),
                target, Verdict.ERROR, request.variant().expectedVerdict(), null, null, error, List.copyOf(measurements));
    }
}
