package io.gapwatch.probe;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class VerdictRulesTest {
    private final VerdictRules rules = new VerdictRules(1_000_000, false);

    @Test
    void an_iteration_passes_when_the_steal_is_at_least_the_gap_and_less_than_five_seconds_more() {
        assertThat(rules.passes(10_000_000, 10)).isTrue();
        assertThat(rules.passes(9_999_999, 10)).isFalse();
        assertThat(rules.passes(5_009_999_999L, 10)).isTrue();
        assertThat(rules.passes(5_010_000_000L, 10)).isFalse();
    }

    @Test
    void the_five_seconds_are_overhead_above_the_gap_so_long_gaps_can_pass() {
        assertThat(rules.passes(5_200_753_000L, 5_200)).isTrue();
        assertThat(rules.passes(60_000_500_000L, 60_000)).isTrue();
        assertThat(rules.passes(64_999_999_999L, 60_000)).isTrue();
        assertThat(rules.passes(65_000_000_000L, 60_000)).isFalse();
    }

    @Test
    void a_lost_gap_fails_the_lower_bound_at_any_gap() {
        assertThat(rules.passes(300_000, 5_200)).isFalse();
        assertThat(rules.passes(300_000, 60_000)).isFalse();
        assertThat(rules.passes(59_999_999_999L, 60_000)).isFalse();
    }

    @Test
    void the_bracket_runs_from_the_inner_gap_to_the_outer_gap_plus_host_run_delay_and_tolerance() {
        long low = 10_200_000;
        long high = 10_600_000;
        assertThat(rules.withinBracket(low, low, high, 0L)).isTrue();
        assertThat(rules.withinBracket(low - 1, low, high, 0L)).isFalse();
        assertThat(rules.withinBracket(high + 1_000_000, low, high, 0L)).isTrue();
        assertThat(rules.withinBracket(high + 1_000_001, low, high, 0L)).isFalse();
        assertThat(rules.withinBracket(high + 3_000_000, low, high, 2_000_000L)).isTrue();
    }

    @Test
    void an_unreadable_run_delay_allows_no_host_preemption_above_the_bracket() {
        long low = 10_200_000;
        long high = 10_600_000;
        assertThat(rules.withinBracket(high + 1_000_000, low, high, null)).isTrue();
        assertThat(rules.withinBracket(high + 3_000_000, low, high, null)).isFalse();
    }

    @Test
    void the_error_is_the_distance_from_the_middle_of_the_bracket() {
        assertThat(VerdictRules.errorNs(10_500_000, 10_000_000, 11_000_000)).isZero();
        assertThat(VerdictRules.errorNs(10_000_000, 10_000_000, 11_000_000)).isEqualTo(-500_000);
    }

    @Test
    void a_run_fails_if_any_iteration_fails_and_strict_mode_also_fails_it_outside_the_bracket() {
        Measurement good = measurement(1, true, true);
        Measurement inaccurate = measurement(2, true, false);
        Measurement failed = measurement(3, false, true);
        assertThat(rules.runVerdict(List.of(good, inaccurate))).isEqualTo(Verdict.PASS);
        assertThat(rules.runVerdict(List.of(good, failed))).isEqualTo(Verdict.FAIL);
        assertThat(new VerdictRules(1_000_000, true).runVerdict(List.of(good, inaccurate))).isEqualTo(Verdict.FAIL);
    }

    @Test
    void an_iteration_whose_guest_runstate_area_disagrees_with_the_ioctl_fails_even_inside_its_bracket() {
        Measurement good = measurement(1, true, true);
        Measurement wrongGuestArea = measurement(2, true, true, 0);

        assertThat(VerdictRules.iterationPasses(good, true)).isTrue();
        assertThat(VerdictRules.iterationPasses(wrongGuestArea, false)).isFalse();
        assertThat(rules.runVerdict(List.of(good, wrongGuestArea))).isEqualTo(Verdict.FAIL);
    }

    @Test
    void outside_its_bracket_an_iteration_fails_in_strict_mode_only() {
        Measurement inaccurate = measurement(1, true, false);

        assertThat(VerdictRules.iterationPasses(inaccurate, false)).isTrue();
        assertThat(VerdictRules.iterationPasses(inaccurate, true)).isFalse();
    }

    static Measurement measurement(int iteration, boolean pass, boolean withinBracket) {
        return measurement(iteration, pass, withinBracket, 10_000_000);
    }

    static Measurement measurement(int iteration, boolean pass, boolean withinBracket, long guestAreaRunnableNs) {
        return new Measurement(iteration, 0, 10_000_000, 10_000_000, guestAreaRunnableNs, 9_900_000, 10_100_000, 0L, 0,
                withinBracket, pass, 1, 1, 1, 1);
    }
}
