package io.gapwatch.server.analysis;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ChangePointDetectorTest {
    private final ChangePointDetector detector = new ChangePointDetector(ChangePointSettings.defaults());
    private final Series series = new Series(7);

    @Test
    void a_three_millisecond_step_in_a_nightly_series_is_found_where_it_happened() {
        double[] x = Series.concat(series.levels(30, 100_000, 200_000), series.levels(20, 3_100_000, 200_000));
        List<ChangePoint> points = detector.detect(x);
        assertThat(points).hasSize(1);
        assertThat(points.get(0).index()).isEqualTo(30);
        assertThat(points.get(0).meanAfter() - points.get(0).meanBefore()).isBetween(2_800_000.0, 3_200_000.0);
        assertThat(points.get(0).pValue()).isLessThan(0.001);
    }

    @Test
    void two_steps_are_two_change_points() {
        double[] x = Series.concat(Series.concat(series.levels(25, 0, 100_000), series.levels(25, 2_000_000, 100_000)),
                series.levels(25, 0, 100_000));
        assertThat(detector.detect(x)).extracting(ChangePoint::index).containsExactly(25, 50);
    }

    @Test
    void noise_alone_has_no_change_point_in_two_hundred_series() {
        int found = 0;
        for (int trial = 0; trial < 200; trial++) {
            found += detector.detect(series.levels(40, 1_000_000, 1_000_000)).size();
        }
        assertThat(found).isZero();
    }

    @Test
    void a_single_spike_is_not_a_change() {
        double[] x = series.levels(40, 0, 50_000);
        x[20] = 50_000_000;
        assertThat(detector.detect(x)).isEmpty();
    }

    @Test
    void a_series_too_short_to_split_has_none() {
        assertThat(detector.detect(new double[]{1, 2, 3, 4, 5})).isEmpty();
        assertThat(detector.detect(new double[0])).isEmpty();
    }
}
