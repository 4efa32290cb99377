package io.gapwatch.server.series;

import io.gapwatch.server.analysis.ChangePointSettings;
import io.gapwatch.server.analysis.CompareSettings;
import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/**
 * Analysis settings (prefix {@code gapwatch.analysis}); every one has a default.
 *
 * @param alpha                  p-value below which a compare test is significant (0.001)
 * @param effectFloorNs          smallest errorNs shift called a change (1 ms) ...
 * @param effectFloorOfGap       ... or this fraction of the gap if larger (0.10)
 * @param minRateChange          smallest pass or withinBracket rate change called a change (0.10)
 * @param maxBaselineSpread      stability gate: the baseline's relative spread at most this (0.20)
 * @param minSamples             fewer measurements on a side is insufficient data (5)
 * @param changePointWindow      points each side of a change point its t-test looks at (50)
 * @param changePointPValue      p-value a change point must beat (0.001)
 * @param changePointMinSegment  fewest points between change points (5)
 * @param confirmationIterations iterations of each confirmation and bisection run (10)
 * @param cleanSweepsToFix       consecutive clean sweeps after which an ACTIVE regression is FIXED (3)
 * @param pollInterval           how often confirmations and bisections look for finished runs (1 s)
 */
@ConfigurationProperties("gapwatch.analysis")
public record AnalysisProperties(Double alpha, Long effectFloorNs, Double effectFloorOfGap, Double minRateChange,
                                 Double maxBaselineSpread, Integer minSamples, Integer changePointWindow,
                                 Double changePointPValue, Integer changePointMinSegment,
                                 Integer confirmationIterations, Integer cleanSweepsToFix, Duration pollInterval) {

    public AnalysisProperties {
        CompareSettings c = CompareSettings.defaults();
        ChangePointSettings p = ChangePointSettings.defaults();
        alpha = alpha == null ? c.alpha() : alpha;
        effectFloorNs = effectFloorNs == null ? c.effectFloorNs() : effectFloorNs;
        effectFloorOfGap = effectFloorOfGap == null ? c.effectFloorOfGap() : effectFloorOfGap;
        minRateChange = minRateChange == null ? c.minRateChange() : minRateChange;
        maxBaselineSpread = maxBaselineSpread == null ? c.maxBaselineSpread() : maxBaselineSpread;
        minSamples = minSamples == null ? c.minSamples() : minSamples;
        changePointWindow = changePointWindow == null ? p.window() : changePointWindow;
        changePointPValue = changePointPValue == null ? p.pValue() : changePointPValue;
        changePointMinSegment = changePointMinSegment == null ? p.minSegment() : changePointMinSegment;
        confirmationIterations = confirmationIterations == null ? 10 : confirmationIterations;
        cleanSweepsToFix = cleanSweepsToFix == null ? 3 : cleanSweepsToFix;
        pollInterval = pollInterval == null ? Duration.ofSeconds(1) : pollInterval;
    }

    public CompareSettings compareSettings() {
        return new CompareSettings(alpha, effectFloorNs, effectFloorOfGap, minRateChange, maxBaselineSpread, minSamples);
    }

    public ChangePointSettings changePointSettings() {
        return new ChangePointSettings(changePointWindow, changePointPValue, changePointMinSegment);
    }
}
