package io.gapwatch.server.analysis;

import org.apache.commons.math3.distribution.HypergeometricDistribution;

/**
 * Fisher's exact test on a 2x2 table (successes and failures on two sides). Commons Math 3.6.1 has no
 * Fisher test, but has the hypergeometric distribution it is made of; this is only the two-sided sum.
 */
final class FisherExactTest {
    /** Relative tolerance for "as or less likely than the observed table" (floating-point ties). */
    private static final double TIES = 1 + 1e-7;

    private FisherExactTest() {
    }

    /** Two-sided p-value of {@code a} successes out of {@code n1} against {@code b} out of {@code n2}. */
    static double pValue(int a, int n1, int b, int n2) {
        int successes = a + b;
        int total = n1 + n2;
        if (n1 == 0 || n2 == 0 || successes == 0 || successes == total) {
            return 1.0;
        }
        HypergeometricDistribution h = new HypergeometricDistribution(null, total, successes, n1);
        double observed = h.probability(a);
        double p = 0;
        for (int k = Math.max(0, successes - n2); k <= Math.min(successes, n1); k++) {
            double pk = h.probability(k);
            if (pk <= observed * TIES) {
                p += pk;
            }
        }
        return Math.min(1.0, p);
    }
}
