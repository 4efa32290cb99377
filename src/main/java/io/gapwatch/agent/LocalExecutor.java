package io.gapwatch.agent;

import io.gapwatch.probe.CapabilityMissingException;
import io.gapwatch.probe.HostClock;
import io.gapwatch.probe.Hypervisor;
import io.gapwatch.probe.Probe;
import io.gapwatch.probe.ProbeReport;
import io.gapwatch.probe.ProbeRequest;
import io.gapwatch.probe.TargetInfo;

import java.util.List;

/** Runs the probe in this process, on a backend opened for each run and closed after it. */
final class LocalExecutor implements TargetExecutor {
    private final TargetInfo target;
    private final HostClock clock;
    private final Opener backend;

    /** Opens the backend; a missing capability (no /dev/kvm) makes the run SKIP. */
    @FunctionalInterface
    interface Opener {
        Hypervisor open() throws CapabilityMissingException;
    }

    LocalExecutor(TargetInfo target, HostClock clock, Opener backend) {
        this.target = target;
        this.clock = clock;
        this.backend = backend;
    }

    @Override
    public List<TargetInfo> targets() {
        return List.of(target);
    }

    @Override
    public ProbeReport execute(TargetInfo ignored, ProbeRequest request, Probe.Progress progress) {
        Hypervisor hypervisor;
        try {
            hypervisor = backend.open();
        } catch (CapabilityMissingException e) {
            return ProbeReport.skipped(request, target, e.getMessage());
        }
        try (hypervisor) {
            return new Probe(hypervisor, clock).run(request, progress);
        }
    }
}
