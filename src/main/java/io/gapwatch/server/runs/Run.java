package io.gapwatch.server.runs;

import io.gapwatch.probe.ClockPath;
import io.gapwatch.probe.ErrorKind;
import io.gapwatch.probe.ProbeReport;
import io.gapwatch.probe.Variant;
import io.gapwatch.probe.Verdict;

import java.time.Instant;

/**
 * A row of the runs table; {@code progress} is what a running run waits for before its first iteration (a kernel
 * build), from its heartbeats; {@code build} is the kernel build the run needed, as its agent reported it (null: none).
 */
public record Run(
        long id,
        RunState state,
        Verdict verdict,
        Variant variant,
        int gapMs,
        int iterations,
        boolean strict,
        Verdict expectedVerdict,
        RequestedTarget requested,
        String agentName,
        String kernelRelease,
        String backend,
        String accelerator,
        String cpuModel,
        String skipReason,
        String error,
        ClockPath clockPath,
        ErrorKind errorKind,
        int iterationsDone,
        int attempts,
        int maxAttempts,
        Long leaseToken,
        Instant leaseExpiresAt,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        String progress,
        ProbeReport.Build build) {

    /** asExpected is only meaningful for a verdict about the kernel: PASS or FAIL. */
    public Boolean asExpected() {
        return verdict == Verdict.PASS || verdict == Verdict.FAIL ? verdict == expectedVerdict : null;
    }
}
