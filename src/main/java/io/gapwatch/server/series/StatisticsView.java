package io.gapwatch.server.series;

import io.gapwatch.server.analysis.SeriesStatistics;

/** {@link SeriesStatistics} on the wire: a number nobody can know (no samples) is null, never NaN. */
public record StatisticsView(int n, Double passRate, Double withinBracketRate, Double medianErrorNs,
                             Double p95ErrorNs, Double madErrorNs) {

    public static StatisticsView of(SeriesStatistics s) {
        return new StatisticsView(s.n(), orNull(s.passRate()), orNull(s.withinBracketRate()),
                orNull(s.medianErrorNs()), orNull(s.p95ErrorNs()), orNull(s.madErrorNs()));
    }

    public static Double orNull(double x) {
        return Double.isNaN(x) || Double.isInfinite(x) ? null : x;
    }
}
