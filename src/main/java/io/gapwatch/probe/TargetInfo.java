package io.gapwatch.probe;

/**
 * Where a probe executed. {@code kernelRelease} is what uname reports (simulated kernels say "sim:...");
 * {@code accelerator} is set for lab runs (tcg or kvm) and null otherwise.
 */
public record TargetInfo(String backend, String kernelRelease, String cpuModel, String accelerator) {
    public TargetInfo withBackend(String newBackend, String newAccelerator) {
        return new TargetInfo(newBackend, kernelRelease, cpuModel, newAccelerator);
    }
}
