package io.gapwatch.agent;

import io.gapwatch.lab.KernelImage;
import io.gapwatch.lab.KernelLab;
import io.gapwatch.lab.LabException;
import io.gapwatch.probe.ProbeReport;
import io.gapwatch.probe.ProbeRequest;
import io.gapwatch.probe.TargetInfo;

import java.util.ArrayList;
import java.util.List;

/** Executes runs inside kernels booted under QEMU: one target per kernel image. */
final class LabExecutor implements TargetExecutor {
    private final KernelLab lab;
    private final List<TargetInfo> targets;

    private LabExecutor(KernelLab lab, List<TargetInfo> targets) {
        this.lab = lab;
        this.targets = targets;
    }

    /** Checks the lab and fetches every kernel now, so no run pays for a download. */
    static LabExecutor open(KernelLab lab, List<String> kernels) throws LabException {
        lab.check();
        List<TargetInfo> targets = new ArrayList<>();
        for (String kernel : kernels) {
            KernelImage image = lab.resolve(kernel);
            targets.add(new TargetInfo(KernelLab.BACKEND, image.release(), "QEMU " + lab.accelerator().id(),
                    lab.accelerator().id()));
        }
        return new LabExecutor(lab, List.copyOf(targets));
    }

    @Override
    public List<TargetInfo> targets() {
        return targets;
    }

    @Override
    public ProbeReport execute(TargetInfo target, ProbeRequest request) {
        return lab.run(target.kernelRelease(), request);
    }
}
