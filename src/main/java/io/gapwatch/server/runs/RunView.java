package io.gapwatch.server.runs;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.gapwatch.probe.ClockPath;
import io.gapwatch.probe.ErrorKind;
import io.gapwatch.probe.Measurement;
import io.gapwatch.probe.ProbeReport;
import io.gapwatch.probe.Variant;
import io.gapwatch.probe.Verdict;

import java.time.Instant;
import java.util.List;

/**
 * A run as the API shows it; measurements and events only when one run is asked for. {@code errorKind} says
 * which ERRORs are infrastructure (retried) and which the harness's; {@code iterationsDone} is how far a
 * running run has got and {@code progress} what it waits for before its first iteration (a kernel build), from its
 * heartbeats; {@code build}, for a run on a kernel built from a recipe, what its
 * build took (or that it was reused).
 */
public record RunView(
        long id,
        RunState state,
        Verdict verdict,
        Variant variant,
        int gapMs,
        int iterations,
        boolean strict,
        TargetView target,
        ClockPath clockPath,
        Verdict expectedVerdict,
        Boolean asExpected,
        String skipReason,
        String error,
        ErrorKind errorKind,
        int iterationsDone,
        @JsonInclude(JsonInclude.Include.NON_NULL) String progress,
        int attempts,
        int maxAttempts,
        Instant leaseExpiresAt,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<Measurement> measurements,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<RunEvent> events,
        @JsonInclude(JsonInclude.Include.NON_NULL) ProbeReport.Build build) {

    /**
     * Where the run executes (once leased) or may execute (while queued). {@code simulated} is true for
     * the sim backend: a model's numbers, never a kernel's.
     */
    public record TargetView(String agent, String kernelRelease, String backend, String accelerator, String cpuModel,
                             boolean simulated) {
    }

    public static RunView of(Run r, List<Measurement> measurements, List<RunEvent> events) {
        String backend = r.backend() != null ? r.backend() : r.requested().backend();
        TargetView target = new TargetView(
                r.agentName() != null ? r.agentName() : r.requested().agent(),
                r.kernelRelease() != null ? r.kernelRelease() : r.requested().kernelRelease(),
                backend, r.accelerator(), r.cpuModel(), "sim".equals(backend));
        return new RunView(r.id(), r.state(), r.verdict(), r.variant(), r.gapMs(), r.iterations(), r.strict(), target,
                r.clockPath(), r.expectedVerdict(), r.asExpected(), r.skipReason(), r.error(), r.errorKind(), r.iterationsDone(), r.progress(),
                r.attempts(), r.maxAttempts(),
                r.leaseExpiresAt(), r.createdAt(), r.startedAt(), r.finishedAt(), measurements, events, r.build());
    }
}
