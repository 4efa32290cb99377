package io.gapwatch.server.runs;

import io.gapwatch.probe.Variant;
import io.gapwatch.probe.Verdict;

/** Filters of GET /api/v1/runs; null means no filter. */
public record RunFilter(RunState state, Verdict verdict, String kernel, Variant variant, String agent, Long sweep) {
}
