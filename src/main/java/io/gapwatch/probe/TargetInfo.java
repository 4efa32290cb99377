package io.gapwatch.probe;

import java.util.Set;

/**
 * Where a probe executed. {@code kernelRelease} is what uname reports (simulated kernels say "sim:...");
 * {@code accelerator} is set for lab runs (tcg or kvm) and null otherwise.
 */
public record TargetInfo(String backend, String kernelRelease, String cpuModel, String accelerator) {
    /** kvm: the probe on /dev/kvm; lab: the same inside a kernel booted under QEMU; sim: the in-process model. */
    public static final Set<String> BACKENDS = Set.of("kvm", "lab", "sim");

    public TargetInfo withBackend(String newBackend, String newAccelerator) {
        return new TargetInfo(newBackend, kernelRelease, cpuModel, newAccelerator);
    }
}
