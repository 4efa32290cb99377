package io.gapwatch.agent;

import io.gapwatch.client.BuildRecipe;
import io.gapwatch.probe.Probe;
import io.gapwatch.probe.ProbeReport;
import io.gapwatch.probe.ProbeRequest;
import io.gapwatch.probe.TargetInfo;

import java.util.List;

/** Executes runs on the targets one backend offers (kvm or sim in-process; lab in QEMU). */
public interface TargetExecutor {

    /** The targets to register. */
    List<TargetInfo> targets();

    /**
     * Executes on the calling thread, which the caller dedicates to it (vCPU ioctls are thread-bound), telling
     * {@code progress} after each iteration and stopping between iterations when it asks.
     */
    ProbeReport execute(TargetInfo target, ProbeRequest request, Probe.Progress progress);

    /**
     * As {@link #execute(TargetInfo, ProbeRequest, Probe.Progress)} on a kernel built from {@code build} first (null:
     * the target's own kernel). Only a lab with a builder target ({@code build:<base>}) builds kernels.
     */
    default ProbeReport execute(TargetInfo target, ProbeRequest request, BuildRecipe build, Probe.Progress progress) {
        if (build != null) {
            return ProbeReport.infrastructureError(request, target, "this agent's " + target.backend()
                    + " target builds no kernels (" + build.release() + ")");
        }
        return execute(target, request, progress);
    }
}
