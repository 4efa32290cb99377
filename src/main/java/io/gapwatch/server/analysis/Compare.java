package io.gapwatch.server.analysis;

import org.apache.commons.math3.stat.inference.MannWhitneyUTest;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Compares one series between a base kernel and a head kernel, as KernelCI's tree compare does, with the
 * statistics LKP and Otava would want behind it: a rank test (Mann-Whitney U) on errorNs, an exact test
 * (Fisher) on the pass and withinBracket rates, an effect-size floor, and a stability gate on the base.
 * A change is called only when a test is significant AND the effect clears its floor; a regression only when
 * the base is stable (a fix needs no gate: a broken base is often a noisy one).
 */
public final class Compare {
    private final CompareSettings settings;

    public Compare(CompareSettings settings) {
        this.settings = settings;
    }

    public CompareSettings settings() {
        return settings;
    }

    /**
     * @param expectPass whether the variant is expected to PASS (false for the negative control,
     *                   {@code clock-frozen}: there, passing iterations are what got worse)
     */
    public Comparison compare(List<Sample> base, List<Sample> head, int gapMs, boolean expectPass) {
        SeriesStatistics b = SeriesStatistics.of(base);
        SeriesStatistics h = SeriesStatistics.of(head);
        double floor = settings.effectFloorNs(gapMs);
        double spread = b.relativeSpread(gapMs);
        boolean stable = b.n() > 0 && spread <= settings.maxBaselineSpread();

        if (b.n() < settings.minSamples() || h.n() < settings.minSamples()) {
            return new Comparison(CompareCategory.INSUFFICIENT_DATA, b, h, List.of(), floor, spread, stable,
                    "fewer than " + settings.minSamples() + " measurements on a side (base " + b.n()
                            + ", head " + h.n() + ")");
        }

        StatisticalTest error = new StatisticalTest("mann-whitney-u", "errorNs",
                new MannWhitneyUTest().mannWhitneyUTest(errors(base), errors(head)),
                Math.abs(h.medianErrorNs()) - Math.abs(b.medianErrorNs()));
        StatisticalTest pass = rateTest("pass", base, head, Sample::pass);
        StatisticalTest within = rateTest("withinBracket", base, head, Sample::withinBracket);
        List<StatisticalTest> tests = List.of(error, pass, within);

        // Worse means: further from the expected verdict, out of the bracket more often, or a larger error.
        double passWorsening = expectPass ? -pass.effect() : pass.effect();
        List<String> worse = new ArrayList<>();
        List<String> better = new ArrayList<>();
        classify(significant(error, floor), error.effect(), "|median errorNs|", worse, better);
        classify(significant(pass, settings.minRateChange()), passWorsening,
                expectPass ? "pass rate down" : "negative control passing more", worse, better);
        classify(significant(within, settings.minRateChange()), -within.effect(), "withinBracket rate", worse, better);

        boolean baseFailing = !meetsExpectation(b, expectPass);
        boolean headFailing = !meetsExpectation(h, expectPass);
        CompareCategory category;
        String reason;
        if (!worse.isEmpty() && !stable) {
            category = CompareCategory.INSUFFICIENT_DATA;
            reason = "head looks worse (" + String.join(", ", worse) + ") but the base is unstable: relative spread "
                    + round(spread) + " > " + settings.maxBaselineSpread();
        } else if (!worse.isEmpty()) {
            category = CompareCategory.REGRESSION;
            reason = "significantly worse: " + String.join(", ", worse);
        } else if (!better.isEmpty()) {
            category = CompareCategory.FIXED;
            reason = "significantly better: " + String.join(", ", better);
        } else if (baseFailing && headFailing) {
            category = CompareCategory.STILL_FAILING;
            reason = "both sides miss the expected verdict";
        } else if (baseFailing) {
            category = CompareCategory.NEW_PASS;
            reason = "the head meets the expected verdict where the base did not (not significant)";
        } else {
            category = CompareCategory.UNCHANGED;
            reason = "no significant change above the effect-size floor of " + Math.round(floor) + " ns";
        }
        return new Comparison(category, b, h, tests, floor, spread, stable, reason);
    }

    private boolean significant(StatisticalTest test, double floor) {
        return test.pValue() < settings.alpha() && Math.abs(test.effect()) >= floor;
    }

    private static void classify(boolean significant, double worsening, String what, List<String> worse,
                                 List<String> better) {
        if (significant && worsening > 0) {
            worse.add(what);
        } else if (significant && worsening < 0) {
            better.add(what);
        }
    }

    private static boolean meetsExpectation(SeriesStatistics s, boolean expectPass) {
        return expectPass ? s.passRate() == 1.0 : s.passRate() == 0.0;
    }

    private static StatisticalTest rateTest(String metric, List<Sample> base, List<Sample> head,
                                            Predicate<Sample> success) {
        int a = (int) base.stream().filter(success).count();
        int b = (int) head.stream().filter(success).count();
        return new StatisticalTest("fisher-exact", metric, FisherExactTest.pValue(a, base.size(), b, head.size()),
                (double) b / head.size() - (double) a / base.size());
    }

    private static double[] errors(List<Sample> samples) {
        return samples.stream().mapToDouble(Sample::errorNs).toArray();
    }

    private static double round(double x) {
        return Math.round(x * 1000) / 1000.0;
    }
}
