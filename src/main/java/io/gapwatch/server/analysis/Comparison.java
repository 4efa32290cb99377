package io.gapwatch.server.analysis;

import java.util.List;

/**
 * The verdict of comparing one series on a base kernel with the same series on a head kernel, with the numbers
 * behind it.
 *
 * @param baselineSpread the base's relative spread (see {@link SeriesStatistics#relativeSpread})
 * @param baselineStable whether that spread passes the stability gate
 * @param effectFloorNs  the errorNs shift this comparison needed to call a change
 * @param reason         one sentence saying why the category was chosen
 */
public record Comparison(CompareCategory category, SeriesStatistics base, SeriesStatistics head,
                         List<StatisticalTest> tests, double effectFloorNs, double baselineSpread,
                         boolean baselineStable, String reason) {
}
