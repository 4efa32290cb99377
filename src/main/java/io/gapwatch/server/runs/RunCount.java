package io.gapwatch.server.runs;

import io.gapwatch.probe.Variant;
import io.gapwatch.probe.Verdict;

/** How many runs of a sweep's cell (kernel, variant, gap) on a backend are in a state with a verdict. */
public record RunCount(String kernel, Variant variant, int gapMs, String backend, RunState state, Verdict verdict, long runs) {
}
