package io.gapwatch.server.sweeps;

import io.gapwatch.probe.Variant;

/** A cell of a sweep's matrix that no registered agent served when the sweep started: reported, not dropped. */
public record UnservedCell(String kernel, Variant variant, int gapMs) {
}
