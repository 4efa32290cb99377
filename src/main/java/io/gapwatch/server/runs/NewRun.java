package io.gapwatch.server.runs;

import io.gapwatch.probe.Variant;

/** A validated request for a run, ready to be queued. */
public record NewRun(Variant variant, int gapMs, int iterations, boolean strict, RequestedTarget target, int maxAttempts) {
}
