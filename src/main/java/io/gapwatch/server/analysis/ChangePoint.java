package io.gapwatch.server.analysis;

/**
 * A point of a series where its level changed.
 *
 * @param index      the first point of the new level
 * @param meanBefore mean of the points (within the window) before it
 * @param meanAfter  mean of the points (within the window) from it on
 * @param pValue     Welch's t-test of those two groups, times the number of splits it was the best of
 */
public record ChangePoint(int index, double meanBefore, double meanAfter, double pValue) {
}
