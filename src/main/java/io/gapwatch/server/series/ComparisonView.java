package io.gapwatch.server.series;

import io.gapwatch.server.analysis.CompareCategory;
import io.gapwatch.server.analysis.Comparison;
import io.gapwatch.server.analysis.StatisticalTest;
import io.swagger.v3.oas.annotations.media.Schema;

import java.util.List;

/** One series compared between two kernels: the category and the numbers behind it. */
public record ComparisonView(
        String variant, int gapMs, String backend,
        @Schema(description = "regression, fixed, still-failing, new-pass, unchanged or insufficient-data")
        CompareCategory category,
        String reason,
        StatisticsView base,
        StatisticsView head,
        @Schema(description = "mann-whitney-u on errorNs, fisher-exact on pass and withinBracket; effect is head minus base")
        List<Test> tests,
        @Schema(description = "the errorNs shift needed to call a change: max(floor, fraction of the gap)")
        double effectFloorNs,
        @Schema(description = "the base's MAD of errorNs over the gap; the stability gate wants it <= maxBaselineSpread")
        Double baselineSpread,
        boolean baselineStable) {

    public record Test(String test, String metric, Double pValue, Double effect) {
        static Test of(StatisticalTest t) {
            return new Test(t.test(), t.metric(), StatisticsView.orNull(t.pValue()), StatisticsView.orNull(t.effect()));
        }
    }

    public static ComparisonView of(SeriesKey key, Comparison c) {
        return new ComparisonView(key.variant(), key.gapMs(), key.backend(), c.category(), c.reason(),
                StatisticsView.of(c.base()), StatisticsView.of(c.head()), c.tests().stream().map(Test::of).toList(),
                c.effectFloorNs(), StatisticsView.orNull(c.baselineSpread()), c.baselineStable());
    }
}
