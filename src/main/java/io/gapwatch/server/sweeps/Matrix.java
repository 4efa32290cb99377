package io.gapwatch.server.sweeps;

import io.gapwatch.probe.Variant;

import java.util.List;

/**
 * What a sweep runs: every kernel x variant x gap, {@code repeats} runs each, {@code iterations} probes per run.
 *
 * @param kernels null: every kernel a registered agent serves when the sweep starts
 * @param backend null: any backend serving the kernel
 */
public record Matrix(List<String> kernels, String backend, List<Variant> variants, List<Integer> gapsMs, int iterations,
                     int repeats, boolean strict) {

    public long runsPerKernel() {
        return (long) variants.size() * gapsMs.size() * repeats;
    }
}
