package io.gapwatch.server.analysis;

import org.apache.commons.math3.stat.StatUtils;
import org.apache.commons.math3.stat.inference.TTest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * Change points of a series, as Apache Otava finds them: E-Divisive means (Matteson and James) proposes, in
 * each segment between the change points found so far, the split with the largest divergence Q; Student's
 * (Welch's) t-test over at most {@code window} points either side decides whether it is real. The most
 * significant accepted candidate is kept and the search repeats, until no candidate passes.
 * <p>
 * One departure from Otava: the t-test's p-value is multiplied by the number of splits E-Divisive chose from
 * (Bonferroni). A t-test of the best of 40 splits of pure noise is "significant" at 0.001 about once in twenty
 * series; a nightly alarm that cries wolf that often gets ignored.
 */
public final class ChangePointDetector {
    private final ChangePointSettings settings;

    public ChangePointDetector(ChangePointSettings settings) {
        this.settings = settings;
    }

    public List<ChangePoint> detect(double[] series) {
        int n = series.length;
        double[][] prefix = distancePrefixSums(series);
        TreeSet<Integer> boundaries = new TreeSet<>(List.of(0, n));
        List<ChangePoint> found = new ArrayList<>();
        while (true) {
            ChangePoint best = null;
            Integer start = boundaries.first();
            for (Integer end = boundaries.higher(start); end != null; start = end, end = boundaries.higher(end)) {
                ChangePoint candidate = candidate(series, prefix, start, end);
                if (candidate != null && candidate.pValue() < settings.pValue()
                        && (best == null || candidate.pValue() < best.pValue())) {
                    best = candidate;
                }
            }
            if (best == null) {
                found.sort(Comparator.comparingInt(ChangePoint::index));
                return found;
            }
            boundaries.add(best.index());
            found.add(best);
        }
    }

    /** The split of [start, end) with the largest Q, tested; null if the segment is too short to split. */
    private ChangePoint candidate(double[] x, double[][] prefix, int start, int end) {
        int min = settings.minSegment();
        int bestTau = -1;
        double bestQ = Double.NEGATIVE_INFINITY;
        for (int tau = start + min; tau <= end - min; tau++) {
            double q = divergence(prefix, start, tau, end);
            if (q > bestQ) {
                bestQ = q;
                bestTau = tau;
            }
        }
        if (bestTau < 0) {
            return null;
        }
        double[] before = Arrays.copyOfRange(x, Math.max(start, bestTau - settings.window()), bestTau);
        double[] after = Arrays.copyOfRange(x, bestTau, Math.min(end, bestTau + settings.window()));
        double p = new TTest().tTest(before, after);
        // Two constant, different levels: t is infinite and p is 0 or NaN; equal levels: NaN. Neither is noise.
        if (Double.isNaN(p)) {
            p = StatUtils.mean(before) == StatUtils.mean(after) ? 1.0 : 0.0;
        }
        int splits = end - start - 2 * min + 1;
        return new ChangePoint(bestTau, StatUtils.mean(before), StatUtils.mean(after), Math.min(1.0, p * splits));
    }

    /** E-Divisive's Q for the split of [a, b) at tau, with alpha = 1 (plain distances). */
    private static double divergence(double[][] prefix, int a, int tau, int b) {
        double m = tau - a;
        double k = b - tau;
        double between = block(prefix, a, tau, tau, b);
        double withinLeft = block(prefix, a, tau, a, tau) / 2;
        double withinRight = block(prefix, tau, b, tau, b) / 2;
        double e = 2 * between / (m * k) - withinLeft / (m * (m - 1) / 2) - withinRight / (k * (k - 1) / 2);
        return m * k / (m + k) * e;
    }

    /** prefix[i][j] = sum of |x[r] - x[c]| over r < i, c < j: any block's sum in constant time. */
    private static double[][] distancePrefixSums(double[] x) {
        int n = x.length;
        double[][] p = new double[n + 1][n + 1];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                p[i + 1][j + 1] = Math.abs(x[i] - x[j]) + p[i][j + 1] + p[i + 1][j] - p[i][j];
            }
        }
        return p;
    }

    private static double block(double[][] p, int r0, int r1, int c0, int c1) {
        return p[r1][c1] - p[r0][c1] - p[r1][c0] + p[r0][c0];
    }
}
