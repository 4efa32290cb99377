package io.gapwatch.server.series;

import io.gapwatch.server.analysis.Sample;

import java.time.Instant;

/** A sample with the run it belongs to and when that run finished: a point of a series in time. */
public record TimedSample(long runId, Instant measuredAt, Sample sample) {
}
