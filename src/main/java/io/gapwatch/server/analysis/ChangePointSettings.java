package io.gapwatch.server.analysis;

/**
 * Change-point detection settings, as Apache Otava names them.
 *
 * @param window     points on each side of a candidate that its t-test looks at (Otava's window, default 50)
 * @param pValue     a candidate is a change point when its t-test's p-value is below this (Otava: 0.001)
 * @param minSegment fewest points between two change points (Otava PR #150: a single spike is not a change)
 */
public record ChangePointSettings(int window, double pValue, int minSegment) {

    public static ChangePointSettings defaults() {
        return new ChangePointSettings(50, 0.001, 5);
    }

    public ChangePointSettings {
        if (window < 2 || minSegment < 2 || !(pValue > 0 && pValue < 1)) {
            throw new IllegalArgumentException("window and minSegment must be at least 2 and pValue in (0, 1)");
        }
    }
}
