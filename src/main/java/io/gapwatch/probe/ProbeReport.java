package io.gapwatch.probe;

import java.util.List;

/**
 * The result of a run of probes: the verdict, why when it is SKIP or ERROR (or a FAIL before every iteration was
 * measured: the kernel refused a restore), and every measurement.
 * {@code asExpected} is null for SKIP and ERROR: those say nothing about the kernel. {@code clockPath} is
 * how the clock crossed the gap (null when the run stopped before the kernel was asked). {@code errorKind} is
 * set for ERROR only: INFRASTRUCTURE is retried by the server, HARNESS is not (a report without it counts as
 * HARNESS). {@code build} is set when the lab built the kernel of the run from a recipe (a patch series): which
 * release, how long the build took, whether an earlier build was reused, where its log is on the agent's host.
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
        List<Measurement> measurements,
        ErrorKind errorKind,
        Build build) {

    /** The kernel build a lab run needed: {@code seconds} is 0 when {@code reused}. */
    public record Build(String release, double seconds, boolean reused, String logPath) {
    }

    public static ProbeReport judged(ProbeRequest request, TargetInfo target, ClockPath clockPath, Verdict verdict,
                                     List<Measurement> measurements) {
        Verdict expected = request.variant().expectedVerdict();
        return new ProbeReport(request.variant(), request.gapMs(), request.iterations(), request.rules().strict(),
                target, clockPath, verdict, expected, verdict == expected, null, null, List.copyOf(measurements), null, null);
    }

    public static ProbeReport skipped(ProbeRequest request, TargetInfo target, String reason) {
        return new ProbeReport(request.variant(), request.gapMs(), request.iterations(), request.rules().strict(),
                target, null, Verdict.SKIP, request.variant().expectedVerdict(), null, reason, null, List.of(), null, null);
    }

    /**
     * The kernel refused to restore an iteration's saved state ({@link RestoreRefusedException}): a FAIL with the
     * measurements taken before it and the refusal in {@code error}; no {@code errorKind}, nothing to retry.
     */
    public static ProbeReport refused(ProbeRequest request, TargetInfo target, ClockPath clockPath, String refusal,
                                      List<Measurement> measurements) {
        Verdict expected = request.variant().expectedVerdict();
        return new ProbeReport(request.variant(), request.gapMs(), request.iterations(), request.rules().strict(),
                target, clockPath, Verdict.FAIL, expected, expected == Verdict.FAIL, null, refusal,
                List.copyOf(measurements), null, null);
    }

    /** The probe itself failed: a HARNESS error, which another attempt would repeat. */
    public static ProbeReport broken(ProbeRequest request, TargetInfo target, String error, List<Measurement> measurements) {
        return broken(request, target, null, error, measurements);
    }

    /** The probe itself failed: a HARNESS error, which another attempt would repeat. */
    public static ProbeReport broken(ProbeRequest request, TargetInfo target, ClockPath clockPath, String error,
                                     List<Measurement> measurements) {
        return new ProbeReport(request.variant(), request.gapMs(), request.iterations(), request.rules().strict(),
                target, clockPath, Verdict.ERROR, request.variant().expectedVerdict(), null, null, error,
                List.copyOf(measurements), ErrorKind.HARNESS, null);
    }

    /** The machinery around the kernel failed (no guest, no QEMU, no target): an ERROR the server retries. */
    public static ProbeReport infrastructureError(ProbeRequest request, TargetInfo target, String error) {
        return new ProbeReport(request.variant(), request.gapMs(), request.iterations(), request.rules().strict(),
                target, null, Verdict.ERROR, request.variant().expectedVerdict(), null, null, error, List.of(),
                ErrorKind.INFRASTRUCTURE, null);
    }

    /** The same report from another point of view, e.g. the lab's relabelling of a guest's result. */
    public ProbeReport withTarget(TargetInfo newTarget) {
        return new ProbeReport(variant, gapMs, iterations, strict, newTarget, clockPath, verdict, expectedVerdict,
                asExpected, skipReason, error, measurements, errorKind, build);
    }

    /** This report with the kernel build it ran on. */
    public ProbeReport withBuild(Build kernelBuild) {
        return new ProbeReport(variant, gapMs, iterations, strict, target, clockPath, verdict, expectedVerdict,
                asExpected, skipReason, error, measurements, errorKind, kernelBuild);
    }

    /** The kernel of the run could not be built from its recipe: an ERROR the server does not retry. */
    public static ProbeReport buildFailed(ProbeRequest request, TargetInfo target, String error, Build kernelBuild) {
        return new ProbeReport(request.variant(), request.gapMs(), request.iterations(), request.rules().strict(),
                target, null, Verdict.ERROR, request.variant().expectedVerdict(), null, null, error, List.of(),
                ErrorKind.BUILD, kernelBuild);
    }
}
