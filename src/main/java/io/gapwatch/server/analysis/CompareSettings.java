package io.gapwatch.server.analysis;

/**
 * How sure a comparison must be before it calls a change.
 *
 * @param alpha             p-value below which a test counts as significant
 * @param effectFloorNs     the smallest errorNs shift worth a regression, whatever the gap
 * @param effectFloorOfGap  ... or this fraction of the gap, whichever is larger
 * @param minRateChange     the smallest change of a pass or withinBracket rate worth a regression
 * @param maxBaselineSpread LKP's stability gate: the base's relative spread must not exceed this
 * @param minSamples        fewer measurements than this on a side is insufficient data (LKP wants 3 at least)
 */
public record CompareSettings(double alpha, long effectFloorNs, double effectFloorOfGap, double minRateChange,
                              double maxBaselineSpread, int minSamples) {

    public static CompareSettings defaults() {
        return new CompareSettings(0.001, 1_000_000, 0.10, 0.10, 0.20, 5);
    }

    public CompareSettings {
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha must be in (0, 1), got " + alpha);
        }
        if (effectFloorNs < 0 || effectFloorOfGap < 0 || minRateChange < 0 || maxBaselineSpread <= 0) {
            throw new IllegalArgumentException("floors must not be negative and the spread gate must be positive");
        }
        if (minSamples < 2) {
            throw new IllegalArgumentException("minSamples must be at least 2, got " + minSamples);
        }
    }

    /** The effect-size floor at a gap: max(effectFloorNs, effectFloorOfGap x gap). */
    public double effectFloorNs(int gapMs) {
        return Math.max(effectFloorNs, effectFloorOfGap * gapMs * 1_000_000.0);
    }
}
