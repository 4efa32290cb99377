package io.gapwatch.server.analysis;

/** What the analysis needs of one measurement (one iteration): its accounting error and its two verdicts. */
public record Sample(long errorNs, boolean pass, boolean withinBracket) {
}
