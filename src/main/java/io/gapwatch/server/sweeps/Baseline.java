package io.gapwatch.server.sweeps;

/**
 * What a sweep's results are compared with: one kernel's series, or the previous sweep of the same schedule.
 * Exactly one of the two is set.
 */
public record Baseline(String kernel, boolean previousSweep) {
    public static Baseline ofKernel(String kernel) {
        return new Baseline(kernel, false);
    }

    public static Baseline ofPreviousSweep() {
        return new Baseline(null, true);
    }
}
