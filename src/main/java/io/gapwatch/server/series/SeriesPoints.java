package io.gapwatch.server.series;

import io.swagger.v3.oas.annotations.media.Schema;

import java.time.Instant;
import java.util.List;

/**
 * GET /api/v1/series/points: one series over a time range, downsampled by the server into time buckets, so a year
 * of nightly sweeps is a few hundred points however many measurements it holds.
 *
 * @param bucketMs     the width of a bucket: (to - from) / buckets, rounded up
 * @param measurements how many measurements the range holds (the sum of the points' n)
 * @param points       the buckets that hold measurements, oldest first (an empty bucket is left out)
 * @param changePoints where the level of the bucket medians changed (E-Divisive means + t-test, as regressions use)
 */
public record SeriesPoints(String kernel, String variant, int gapMs, String backend,
                           @Schema(description = "true for the sim backend: a model, never a kernel result")
                           boolean simulated,
                           Instant from, Instant to, int buckets, long bucketMs, long measurements,
                           List<Point> points, List<ChangeAt> changePoints) {

    /**
     * One time bucket: its measurements' count and errorNs percentiles (PostgreSQL's percentile_cont).
     *
     * @param start the bucket's start; it holds measurements recorded in [start, start + bucketMs)
     * @param runs  how many runs the measurements come from
     */
    public record Point(Instant start, long n, long runs, double medianErrorNs, double p5ErrorNs, double p95ErrorNs,
                        long minErrorNs, long maxErrorNs, double passRate, double withinBracketRate) {
    }

    /**
     * A change point of the bucket medians.
     *
     * @param at             the start of the first bucket of the new level
     * @param meanBeforeNs   mean of the bucket medians before it (within the detector's window)
     * @param meanAfterNs    mean of the bucket medians from it on
     * @param pValue         the t-test's p-value, corrected for the number of splits tried
     */
    public record ChangeAt(Instant at, double meanBeforeNs, double meanAfterNs, double pValue) {
    }
}
