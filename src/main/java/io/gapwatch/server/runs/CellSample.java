package io.gapwatch.server.runs;

import io.gapwatch.probe.Variant;

/** One measurement of a sweep, with the cell (kernel, variant, gap) it belongs to. */
public record CellSample(String kernel, Variant variant, int gapMs, long errorNs, boolean pass, boolean withinBracket) {
}
