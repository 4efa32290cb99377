package io.gapwatch.server.series;

import io.gapwatch.server.analysis.Sample;

/** A sample and the run it belongs to: series history is read run by run, in time order. */
public record RunSample(long runId, Sample sample) {
}
