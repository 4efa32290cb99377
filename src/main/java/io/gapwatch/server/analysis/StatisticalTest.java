package io.gapwatch.server.analysis;

/**
 * One test a comparison ran, with its outcome.
 *
 * @param test   the test's name, e.g. "mann-whitney-u"
 * @param metric what it was run on: errorNs, pass or withinBracket
 * @param pValue two-sided p-value (NaN when a side had no samples)
 * @param effect head minus base: nanoseconds for errorNs (of the absolute medians), a rate difference otherwise
 */
public record StatisticalTest(String test, String metric, double pValue, double effect) {
}
