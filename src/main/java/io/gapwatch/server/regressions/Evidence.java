package io.gapwatch.server.regressions;

/** A run that is part of a regression's evidence, and why. */
public record Evidence(long runId, EvidenceRole role) {
}
