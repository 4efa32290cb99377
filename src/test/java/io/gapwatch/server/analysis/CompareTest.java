package io.gapwatch.server.analysis;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CompareTest {
    private final Compare compare = new Compare(CompareSettings.defaults());
    private final Series series = new Series(42);

    @Test
    void an_error_three_milliseconds_larger_is_a_regression_with_its_numbers() {
        List<Sample> base = series.passing(10, 100_000, 200_000);
        List<Sample> head = series.passing(10, 3_100_000, 200_000);
        Comparison c = compare.compare(base, head, 2, true);
        assertThat(c.category()).isEqualTo(CompareCategory.REGRESSION);
        assertThat(c.base().n()).isEqualTo(10);
        assertThat(c.head().medianErrorNs()).isGreaterThan(3_000_000);
        StatisticalTest error = c.tests().get(0);
        assertThat(error.test()).isEqualTo("mann-whitney-u");
        assertThat(error.pValue()).isLessThan(0.001);
        assertThat(error.effect()).isGreaterThan(2_500_000);
        assertThat(c.reason()).contains("errorNs");
    }

    @Test
    void a_significant_shift_under_the_floor_is_unchanged() {
        // 0.5 ms later at a 10 ms gap: certainly different, but under max(1 ms, 10 % of 10 ms).
        List<Sample> base = series.passing(200, 100_000, 100_000);
        List<Sample> head = series.passing(200, 600_000, 100_000);
        Comparison c = compare.compare(base, head, 10, true);
        assertThat(c.tests().get(0).pValue()).isLessThan(1e-10);
        assertThat(c.effectFloorNs()).isEqualTo(1_000_000);
        assertThat(c.category()).isEqualTo(CompareCategory.UNCHANGED);
    }

    @Test
    void the_floor_grows_with_the_gap() {
        assertThat(CompareSettings.defaults().effectFloorNs(2)).isEqualTo(1_000_000);
        assertThat(CompareSettings.defaults().effectFloorNs(50)).isEqualTo(5_000_000);
    }

    @Test
    void the_same_noise_on_both_sides_is_unchanged_in_a_thousand_trials() {
        // jitter of 2 ms (the false-positive scenario) at a 10 ms gap, 10 iterations a side.
        int regressions = 0;
        for (int trial = 0; trial < 1000; trial++) {
            Comparison c = compare.compare(series.passing(10, 0, 2_000_000), series.passing(10, 0, 2_000_000), 10, true);
            regressions += c.category() == CompareCategory.REGRESSION ? 1 : 0;
        }
        assertThat(regressions).isZero();
    }

    @Test
    void an_unstable_baseline_is_never_called_a_regression() {
        // spread of the base ~ 2.5 ms at a 2 ms gap: over 20 %.
        List<Sample> base = series.passing(30, 0, 10_000_000);
        List<Sample> head = series.passing(30, 20_000_000, 1_000_000);
        Comparison c = compare.compare(base, head, 2, true);
        assertThat(c.baselineStable()).isFalse();
        assertThat(c.category()).isEqualTo(CompareCategory.INSUFFICIENT_DATA);
        assertThat(c.reason()).contains("unstable");
    }

    @Test
    void too_few_measurements_is_insufficient_data() {
        Comparison c = compare.compare(series.passing(4, 0, 100), series.passing(10, 9_000_000, 100), 2, true);
        assertThat(c.category()).isEqualTo(CompareCategory.INSUFFICIENT_DATA);
        assertThat(c.tests()).isEmpty();
    }

    @Test
    void failing_iterations_on_the_head_are_a_regression_by_fishers_exact_test() {
        List<Sample> base = series.passing(20, 0, 100_000);
        List<Sample> head = series.passing(20, 0, 100_000).stream()
                .map(s -> new Sample(s.errorNs(), false, s.withinBracket())).toList();
        Comparison c = compare.compare(base, head, 2, true);
        assertThat(c.category()).isEqualTo(CompareCategory.REGRESSION);
        assertThat(c.tests().get(1)).satisfies(t -> {
            assertThat(t.test()).isEqualTo("fisher-exact");
            assertThat(t.metric()).isEqualTo("pass");
            assertThat(t.pValue()).isLessThan(1e-6);
            assertThat(t.effect()).isEqualTo(-1.0);
        });
    }

    @Test
    void the_error_coming_back_is_fixed() {
        Comparison c = compare.compare(series.passing(10, 3_000_000, 100_000), series.passing(10, 0, 100_000), 2, true);
        assertThat(c.category()).isEqualTo(CompareCategory.FIXED);
    }

    @Test
    void a_negative_control_failing_as_expected_is_unchanged_and_one_that_passes_is_a_regression() {
        assertThat(compare.compare(series.frozen(10, 2), series.frozen(10, 2), 2, false).category())
                .isEqualTo(CompareCategory.UNCHANGED);
        Comparison blind = compare.compare(series.frozen(10, 2), series.passing(10, 0, 100_000), 2, false);
        assertThat(blind.category()).isEqualTo(CompareCategory.REGRESSION);
        assertThat(blind.reason()).contains("negative control");
    }

    @Test
    void a_kernel_that_failed_and_still_fails_is_still_failing() {
        List<Sample> base = series.passing(10, 0, 100_000);
        List<Sample> head = series.passing(10, 0, 100_000);
        base.set(0, new Sample(0, false, true));
        head.set(3, new Sample(0, false, true));
        assertThat(compare.compare(base, head, 2, true).category()).isEqualTo(CompareCategory.STILL_FAILING);
    }

    @Test
    void a_passing_run_with_the_same_accuracy_after_a_failing_one_is_a_new_pass() {
        List<Sample> base = series.passing(10, 0, 100_000);
        base.set(0, new Sample(base.get(0).errorNs(), false, true));
        Comparison c = compare.compare(base, series.passing(10, 0, 100_000), 2, true);
        assertThat(c.category()).isEqualTo(CompareCategory.NEW_PASS);
    }

    @Test
    void fishers_exact_test_matches_the_textbook_tea_tasting() {
        // Fisher's lady tasting tea: 3 of 4 right on each side of 8 cups: two-sided p = 0.4857.
        assertThat(FisherExactTest.pValue(3, 4, 1, 4)).isBetween(0.485, 0.487);
        assertThat(FisherExactTest.pValue(4, 4, 0, 4)).isBetween(0.028, 0.029);
        assertThat(FisherExactTest.pValue(5, 5, 5, 5)).isEqualTo(1.0);
    }

    @Test
    void categories_read_as_kernelci_writes_them() {
        assertThat(CompareCategory.STILL_FAILING.id()).isEqualTo("still-failing");
        assertThat(CompareCategory.INSUFFICIENT_DATA.toString()).isEqualTo("insufficient-data");
    }
}
