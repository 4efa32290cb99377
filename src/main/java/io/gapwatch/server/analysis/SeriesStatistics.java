package io.gapwatch.server.analysis;

import org.apache.commons.math3.stat.descriptive.rank.Percentile;

import java.util.Collection;

/**
 * The numbers of one series (kernel, variant, gapMs, backend), from every measurement in it: never only a mean.
 * With no samples the rates and errors are NaN (there is nothing to say), and {@code n} is 0.
 *
 * @param madErrorNs median absolute deviation of errorNs from its median (unscaled): the spread, robust to
 *                   the odd preempted iteration as a standard deviation is not
 */
public record SeriesStatistics(int n, double passRate, double withinBracketRate, double medianErrorNs,
                               double p95ErrorNs, double madErrorNs) {

    public static SeriesStatistics of(Collection<Sample> samples) {
        int n = samples.size();
        if (n == 0) {
            return new SeriesStatistics(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double[] errors = new double[n];
        int passes = 0;
        int within = 0;
        int i = 0;
        for (Sample s : samples) {
            errors[i++] = s.errorNs();
            passes += s.pass() ? 1 : 0;
            within += s.withinBracket() ? 1 : 0;
        }
        Percentile percentile = new Percentile();
        percentile.setData(errors);
        double median = percentile.evaluate(50);
        double p95 = percentile.evaluate(95);
        double[] deviations = new double[n];
        for (int j = 0; j < n; j++) {
            deviations[j] = Math.abs(errors[j] - median);
        }
        double mad = new Percentile().evaluate(deviations, 50);
        return new SeriesStatistics(n, (double) passes / n, (double) within / n, median, p95, mad);
    }

    /**
     * The spread of the accounted steal relative to the gap it should account for (steal is the gap plus the
     * error, so its spread is errorNs's): LKP's stability measure, on this measurement's scale.
     */
    public double relativeSpread(int gapMs) {
        return madErrorNs / (gapMs * 1_000_000.0);
    }
}
