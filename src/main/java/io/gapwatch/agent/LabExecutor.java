package io.gapwatch.agent;

import io.gapwatch.client.BuildRecipe;
import io.gapwatch.lab.KernelBuildException;
import io.gapwatch.lab.KernelBuilds;
import io.gapwatch.lab.KernelImage;
import io.gapwatch.lab.KernelLab;
import io.gapwatch.lab.LabException;
import io.gapwatch.probe.Probe;
import io.gapwatch.probe.ProbeReport;
import io.gapwatch.probe.ProbeRequest;
import io.gapwatch.probe.TargetInfo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Executes runs inside kernels booted under QEMU: one target per kernel image. A target keeps the image it
 * was registered with, so a kernel given by path (a self-built one, perhaps named like a Debian release)
 * runs that image and is never looked up again by name. With build sources it also offers one builder target
 * per base ({@code build:6.12.117}): a run of a recipe's kernel is built (or found built) first, then booted.
 */
final class LabExecutor implements TargetExecutor {
    private final KernelLab lab;
    private final Map<String, KernelImage> imageByRelease;
    private final List<TargetInfo> targets;

    private LabExecutor(KernelLab lab, Map<String, KernelImage> imageByRelease, List<String> buildSources) {
        this.lab = lab;
        this.imageByRelease = imageByRelease;
        List<TargetInfo> all = new ArrayList<>(imageByRelease.values().stream().map(lab::target).toList());
        buildSources.forEach(base -> all.add(lab.builderTarget(base)));
        this.targets = List.copyOf(all);
    }

    /** Checks the lab and fetches every kernel now, so no run pays for a download. */
    static LabExecutor open(KernelLab lab, List<String> kernels) throws LabException {
        return open(lab, kernels, List.of());
    }

    /**
     * As {@link #open(KernelLab, List)}, with a builder target for each base in {@code buildSources} (versions
     * like 6.12.117; the source itself is fetched by the first build).
     */
    static LabExecutor open(KernelLab lab, List<String> kernels, List<String> buildSources) throws LabException {
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
        return new LabExecutor(lab, Collections.unmodifiableMap(images), List.copyOf(buildSources));
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

    /**
     * The kernel of {@code build}, built (or found built) on the builder target's base, then booted. Build
     * progress goes out with the heartbeats; a recipe that cannot be built is an ERROR of kind BUILD whose error
     * ends with the build log's last lines; the report says which build it ran on.
     */
    @Override
    public ProbeReport execute(TargetInfo target, ProbeRequest request, BuildRecipe build, Probe.Progress progress) {
        if (build == null) {
            return execute(target, request, progress);
        }
        TargetInfo built = new TargetInfo(target.backend(), build.release(), target.cpuModel(), target.accelerator());
        if (!target.kernelRelease().equals(build.builderKernel())) {
            return ProbeReport.infrastructureError(request, built, "the target " + target.kernelRelease()
                    + " does not build kernels of " + build.base());
        }
        KernelBuilds.Built kernel;
        try {
            kernel = lab.builds().build(build, p -> progress.preparing(p.message()));
        } catch (KernelBuildException e) {
            return ProbeReport.buildFailed(request, built, e.getMessage() + (e.log() == null ? ""
                            : "\n--- the end of the build log " + e.log() + " ---\n" + e.logTail(KernelBuilds.LOG_TAIL_LINES)),
                    new ProbeReport.Build(build.release(), 0, false, e.log() == null ? null : e.log().toString()));
        } catch (LabException e) {
            return ProbeReport.infrastructureError(request, built, "building " + build.release() + ": " + e.getMessage());
        }
        ProbeReport.Build summary = new ProbeReport.Build(build.release(), kernel.took().toMillis() / 1000.0,
                kernel.reused(), kernel.log().toString());
        if (progress.stopRequested()) {
            return ProbeReport.broken(request, built, "stopped before the guest booted: asked to stop", List.of())
                    .withBuild(summary);
        }
        progress.preparing("booting " + build.release());
        return lab.run(kernel.kernel(), request, KernelLab.defaultTimeout(request), line -> { }).withBuild(summary);
    }
}
