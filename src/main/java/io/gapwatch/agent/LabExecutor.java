package io.gapwatch.agent;

import io.gapwatch.lab.KernelImage;
import io.gapwatch.lab.KernelLab;
import io.gapwatch.lab.LabException;
import io.gapwatch.probe.Probe;
import io.gapwatch.probe.ProbeReport;
import io.gapwatch.probe.ProbeRequest;
import io.gapwatch.probe.TargetInfo;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Executes runs inside kernels booted under QEMU: one target per kernel image. A target keeps the image it
 * was registered with, so a kernel given by path (a self-built one, perhaps named like a Debian release)
 * runs that image and is never looked up again by name.
 */
final class LabExecutor implements TargetExecutor {
    private final KernelLab lab;
    private final Map<String, KernelImage> imageByRelease;
    private final List<TargetInfo> targets;

    private LabExecutor(KernelLab lab, Map<String, KernelImage> imageByRelease) {
        this.lab = lab;
        this.imageByRelease = imageByRelease;
        this.targets = imageByRelease.values().stream().map(lab::target).toList();
    }

    /** Checks the lab and fetches every kernel now, so no run pays for a download. */
    static LabExecutor open(KernelLab lab, List<String> kernels) throws LabException {
        lab.check();
        Map<String, KernelImage> images = new LinkedHashMap<>();
        for (String kernel : kernels) {
            KernelImage image = lab.resolve(kernel);
            KernelImage other = images.putIfAbsent(image.release(), image);
            if (other != null && !other.vmlinuz().equals(image.vmlinuz())) {
                throw new LabException("two kernels say they are " + image.release() + " (" + other.vmlinuz() + ", "
                        + image.vmlinuz() + "): a target is known by its release, offer only one of them");
            }
        }
        return new LabExecutor(lab, Collections.unmodifiableMap(images));
    }

    @Override
    public List<TargetInfo> targets() {
        return targets;
    }

    /**
     * The probe runs inside the guest, out of reach of {@code progress}: a stop takes effect before the boot
     * or once the guest is done (the agent then discards the result).
     */
    @Override
    public ProbeReport execute(TargetInfo target, ProbeRequest request, Probe.Progress progress) {
        if (progress.stopRequested()) {
            return ProbeReport.broken(request, target, "stopped before the guest booted: asked to stop", List.of());
        }
        KernelImage image = imageByRelease.get(target.kernelRelease());
        if (image == null) {
            return ProbeReport.infrastructureError(request, target, "this lab agent offers no kernel "
                    + target.kernelRelease());
        }
        return lab.run(image, request, KernelLab.defaultTimeout(request), line -> { });
    }
}
