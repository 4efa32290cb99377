package io.gapwatch.server.patches;

import io.gapwatch.probe.ErrorKind;
import io.gapwatch.probe.ProbeReport;
import io.gapwatch.probe.Verdict;
import io.gapwatch.server.runs.RunState;
import io.swagger.v3.oas.annotations.media.Schema;

import java.time.Instant;
import java.util.List;

/** A patch series: its patches, every build with the runs on it, the bisection's steps, and the answer. */
public record PatchSeriesView(
        long id,
        PatchSeriesState state,
        String base,
        String configFragment,
        String variant,
        int gapMs,
        int iterations,
        @Schema(description = "true when a run of it ran on the sim backend: a model, never a kernel result")
        boolean simulated,
        List<PatchView> patches,
        @Schema(description = "the kernels of the prefixes k = 0 (the base) .. n (the full series) and the runs on each; "
                + "a prefix the bisection never needed has no runs")
        List<BuildView> builds,
        Long sweepId,
        @Schema(description = "the full series against the base, by the compare rules, once the sweep ended")
        String comparison,
        Long bisectionId,
        @Schema(description = "the bisection's steps over the prefixes, once the full series regressed")
        List<StepView> steps,
        @Schema(description = "the answer, once NO_REGRESSION, FOUND or AMBIGUOUS")
        Answer answer,
        @Schema(description = "why the series FAILED")
        String reason,
        Instant createdAt,
        Instant finishedAt) {

    /** A patch as submitted; {@code release} names the kernel of the series up to and with it. */
    public record PatchView(int position, String subject, String sha256, int bytes, String release) {
    }

    /** The kernel of prefix k (k patches on the base) and every run on it. */
    public record BuildView(int position, String release, List<BuildRun> runs) {
    }

    /**
     * A run on a built kernel. {@code progress}: what it waits for while running (its kernel's build); {@code build}
     * is what the agent reported of the build (seconds, reused from its cache); {@code purpose} says which part of
     * the series asked for it.
     */
    public record BuildRun(long id, String purpose, RunState state, Verdict verdict, ErrorKind errorKind, String error,
                           String agent, String backend, String progress, ProbeReport.Build build) {
    }

    /** A bisection step over the prefixes: prefix {@code position} run twice, and what the two runs said. */
    public record StepView(int step, String role, int position, String release, String verdict, String detail,
                           long runId, long verifyRunId) {
    }

    /**
     * {@code regression}: whether the full series regressed against the base; when it did and the bisection
     * ended, the first bad patch (its position 1..n and subject) and the kernel that first showed it; or, when
     * prefixes that could not be built left it AMBIGUOUS, the patches the first bad one can be ({@code firstBadOneOf}).
     */
    public record Answer(boolean regression, Integer firstBadPosition, String firstBadSubject, String release,
                         List<PatchView> firstBadOneOf) {
    }

    public record Page(List<PatchSeriesView> items, int page, int size, long total) {
    }
}
