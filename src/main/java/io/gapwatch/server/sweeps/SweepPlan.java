package io.gapwatch.server.sweeps;

import java.util.List;

/** A matrix expanded against the registered targets: the kernels that get runs and the cells no agent serves. */
public record SweepPlan(Matrix matrix, List<String> kernels, List<UnservedCell> unserved) {
    public long runs() {
        return kernels.size() * matrix.runsPerKernel();
    }
}
