package io.gapwatch.server.analysis;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class SeriesStatisticsTest {

    @Test
    void every_number_comes_from_every_sample() {
        List<Sample> samples = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            samples.add(new Sample(i * 1000L, i <= 90, i % 2 == 0));
        }
        SeriesStatistics s = SeriesStatistics.of(samples);
        assertThat(s.n()).isEqualTo(100);
        assertThat(s.passRate()).isEqualTo(0.90);
        assertThat(s.withinBracketRate()).isEqualTo(0.50);
        assertThat(s.medianErrorNs()).isEqualTo(50_500);
        assertThat(s.p95ErrorNs()).isCloseTo(95_000, within(1000.0));
        assertThat(s.madErrorNs()).isEqualTo(25_000);
    }

    @Test
    void one_preempted_iteration_moves_neither_the_median_nor_the_spread_much() {
        List<Sample> samples = new ArrayList<>(new Series(1).passing(19, 100_000, 20_000));
        double madBefore = SeriesStatistics.of(samples).madErrorNs();
        samples.add(new Sample(400_000_000, true, false));
        SeriesStatistics s = SeriesStatistics.of(samples);
        assertThat(s.medianErrorNs()).isBetween(100_000.0, 120_000.0);
        assertThat(s.madErrorNs()).isLessThan(madBefore * 1.5);
    }

    @Test
    void no_samples_is_nothing_to_say_not_zeroes() {
        SeriesStatistics s = SeriesStatistics.of(List.of());
        assertThat(s.n()).isZero();
        assertThat(s.passRate()).isNaN();
        assertThat(s.medianErrorNs()).isNaN();
    }

    @Test
    void the_relative_spread_is_the_spread_over_the_gap() {
        SeriesStatistics s = new SeriesStatistics(10, 1, 1, 0, 0, 2_000_000);
        assertThat(s.relativeSpread(10)).isEqualTo(0.2);
    }
}
