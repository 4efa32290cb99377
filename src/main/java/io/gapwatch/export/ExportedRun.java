package io.gapwatch.export;

import io.gapwatch.probe.ErrorKind;
import io.gapwatch.probe.ProbeReport;
import io.gapwatch.probe.Verdict;

import java.time.Duration;
import java.time.Instant;

/** A finished run as the exports see it: the probe's report plus what the server knows about the run. */
public record ExportedRun(long id, String agent, ProbeReport report, Instant startedAt, Instant finishedAt) {

    /**
     * The run never reached the kernel under test (an infrastructure ERROR: a lab guest that did not boot, a QEMU
     * that failed): KCIDB's MISS, where an ERROR of the probe itself is ERROR.
     */
    public boolean missed() {
        return report.verdict() == Verdict.ERROR && report.errorKind() == ErrorKind.INFRASTRUCTURE;
    }

    /** The kselftest meaning: the result the variant expects (the negative control failing counts as success). */
    public boolean asExpected() {
        return Boolean.TRUE.equals(report.asExpected());
    }

    public Verdict verdict() {
        return report.verdict();
    }

    public String kernel() {
        return report.target().kernelRelease();
    }

    /** {@code clock-realtime.gap_10ms}: the variant and gap, as one name for a test. */
    public String testName() {
        return report.variant().id() + ".gap_" + report.gapMs() + "ms";
    }

    /** Wall time of the run, null when it never started. */
    public Duration duration() {
        return startedAt == null || finishedAt == null ? null : Duration.between(startedAt, finishedAt);
    }

    public boolean simulated() {
        return "sim".equals(report.target().backend());
    }
}
