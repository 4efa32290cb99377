package io.gapwatch.server.analysis;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BisectionRangeTest {
    private static final List<String> SIM = List.of("sim:6.12.113", "sim:6.12.100", "sim:6.12.101", "sim:6.12.107",
            "sim:6.12.111", "6.12.105+deb12-amd64");

    @Test
    void finds_the_first_bad_kernel_by_midpoints_in_debian_order() {
        BisectionRange range = BisectionRange.between("sim:6.12.100", "sim:6.12.113", SIM);
        assertThat(range.kernels()).containsExactly("sim:6.12.100", "sim:6.12.101", "sim:6.12.107", "sim:6.12.111",
                "sim:6.12.113");
        List<String> steps = new ArrayList<>();
        Predicate<String> bad = k -> KernelVersion.parse(k).compareTo(KernelVersion.parse("sim:6.12.111")) >= 0;
        while (!range.done()) {
            String k = range.next();
            steps.add(k);
            range = range.narrow(k, bad.test(k));
        }
        assertThat(range.firstBad()).isEqualTo("sim:6.12.111");
        assertThat(range.lastGood()).isEqualTo("sim:6.12.107");
        assertThat(steps).containsExactly("sim:6.12.107", "sim:6.12.111");
    }

    @Test
    void every_position_of_the_culprit_is_found_in_log2_steps() {
        List<String> kernels = new ArrayList<>();
        for (int v = 100; v <= 117; v++) {
            kernels.add("6.12." + v + "+deb12-amd64");
        }
        for (int culprit = 101; culprit <= 117; culprit++) {
            int c = culprit;
            BisectionRange range = BisectionRange.between("6.12.100+deb12-amd64", "6.12.117+deb12-amd64", kernels);
            int steps = 0;
            while (!range.done()) {
                String k = range.next();
                int v = Integer.parseInt(k.substring(5, 8));
                range = range.narrow(k, v >= c);
                steps++;
            }
            assertThat(range.firstBad()).isEqualTo("6.12." + c + "+deb12-amd64");
            assertThat(steps).isLessThanOrEqualTo(5);
        }
    }

    @Test
    void good_and_bad_must_be_of_one_series_and_in_order() {
        assertThatThrownBy(() -> BisectionRange.between("6.12.100+deb12-amd64", "6.12.117+deb12-cloud-amd64", SIM))
                .hasMessageContaining("not of one series");
        assertThatThrownBy(() -> BisectionRange.between("sim:6.12.111", "sim:6.12.100", SIM))
                .hasMessageContaining("not older");
    }

    @Test
    void adjacent_kernels_need_no_step() {
        BisectionRange range = BisectionRange.between("sim:6.12.107", "sim:6.12.111", SIM);
        assertThat(range.done()).isTrue();
        assertThat(range.firstBad()).isEqualTo("sim:6.12.111");
    }

    @Test
    void a_kernel_that_cannot_be_tested_is_stepped_around_and_the_answer_stays_exact_when_others_decide_it() {
        List<String> kernels = List.of("k0", "k1", "k2", "k3", "k4", "k5", "k6");
        BisectionRange range = new BisectionRange(kernels, 0, 6);
        Set<String> skipped = new HashSet<>(Set.of("k3")); // the middle does not build
        assertThat(range.next(skipped)).contains("k2"); // nearest the middle, the older of k2 and k4
        range = range.narrow("k2", false);
        assertThat(range.next(skipped)).contains("k4");
        range = range.narrow("k4", true);
        assertThat(range.next(skipped)).isEmpty();
        assertThat(range.done()).isFalse();
        assertThat(range.firstBadCandidates(skipped)).containsExactly("k3", "k4");
    }

    @Test
    void with_every_kernel_between_untestable_the_first_bad_is_one_of_them_or_the_bad_one() {
        BisectionRange range = new BisectionRange(List.of("base", "p1", "p2", "p3"), 0, 3);
        Set<String> skipped = Set.of("p1", "p2");
        assertThat(range.next(skipped)).isEqualTo(Optional.empty());
        assertThat(range.firstBadCandidates(skipped)).containsExactly("p1", "p2", "p3");
        assertThat(range.next(Set.of())).contains(range.next());
    }
}
