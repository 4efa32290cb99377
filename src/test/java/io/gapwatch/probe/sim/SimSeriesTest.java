package io.gapwatch.probe.sim;

import io.gapwatch.probe.FakeHostClock;
import io.gapwatch.probe.Measurement;
import io.gapwatch.probe.Probe;
import io.gapwatch.probe.ProbeReport;
import io.gapwatch.probe.ProbeRequest;
import io.gapwatch.probe.Variant;
import io.gapwatch.probe.VerdictRules;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A series of simulated kernels with a fault planted from one kernel on: the shape of a regression. */
class SimSeriesTest {
    private static final String KERNELS = "6.12.100,6.12.101,6.12.107,6.12.111,6.12.113";

    @Test
    void every_kernel_of_the_series_is_a_sim_target_and_the_fault_applies_from_its_kernel_on() {
        SimSeries series = SimSeries.of(KERNELS, SimSeries.FaultsFrom.parse("6.12.111:extra-error-ns=3000000"), SimFaults.none());

        assertThat(series.members()).extracting(SimSeries.Member::kernelRelease)
                .containsExactly("sim:6.12.100", "sim:6.12.101", "sim:6.12.107", "sim:6.12.111", "sim:6.12.113");
        assertThat(series.members()).extracting(m -> m.faults().extraErrorNs())
                .containsExactly(0L, 0L, 0L, 3_000_000L, 3_000_000L);
    }

    @Test
    void a_fault_from_a_version_between_members_starts_at_the_next_member_and_adds_to_the_faults_everywhere() {
        SimSeries series = SimSeries.of("sim:6.12.9,6.12.10,6.13", SimSeries.FaultsFrom.parse("6.12.10:lost-gap,jitter-ns=5"),
                SimFaults.parse("jitter-ns=7"));

        assertThat(series.members()).extracting(m -> m.faults().lostGap()).containsExactly(false, true, true);
        assertThat(series.members()).extracting(m -> m.faults().jitterNs()).containsExactly(7L, 12L, 12L);
    }

    @Test
    void kernel_versions_order_numerically_part_by_part() {
        assertThat(SimSeries.compare("6.12.9", "6.12.10")).isNegative();
        assertThat(SimSeries.compare("6.12.111", "6.12.111")).isZero();
        assertThat(SimSeries.compare("6.13", "6.12.117")).isPositive();
        assertThat(SimSeries.compare("6.12", "6.12.0")).isNegative();
    }

    @Test
    void a_probe_on_the_faulty_kernels_over_accounts_by_the_planted_error_and_the_others_do_not() {
        SimSeries series = SimSeries.of(KERNELS, SimSeries.FaultsFrom.parse("6.12.111:extra-error-ns=3000000"), SimFaults.none());

        for (SimSeries.Member m : series.members()) {
            FakeHostClock clock = new FakeHostClock(1_000);
            ProbeReport report = new Probe(new SimKernel(clock, m.faults(), new Random(1), m.kernelRelease()), clock)
                    .run(new ProbeRequest(Variant.CLOCK_REALTIME, 10, 3, VerdictRules.defaults()));

            assertThat(report.target().kernelRelease()).isEqualTo(m.kernelRelease());
            assertThat(report.target().cpuModel()).isEqualTo("simulated");
            long expected = m.faults().extraErrorNs();
            assertThat(report.measurements()).as(m.kernelRelease())
                    .allSatisfy(x -> assertThat(x.errorNs()).isBetween(expected - 100_000, expected + 100_000));
            assertThat(report.measurements()).extracting(Measurement::withinBracket).containsOnly(expected == 0);
        }
    }

    @Test
    void malformed_series_are_refused_with_what_was_wrong() {
        assertThatThrownBy(() -> SimSeries.of("6.12.100,,6.12.101", null, SimFaults.none())).hasMessageContaining("version like 6.12.100");
        assertThatThrownBy(() -> SimSeries.of("6.12.100,6.12.100", null, SimFaults.none())).hasMessageContaining("twice");
        assertThatThrownBy(() -> SimSeries.of("6.12.100+deb12-amd64", null, SimFaults.none())).hasMessageContaining("6.12.100");
        assertThatThrownBy(() -> SimSeries.FaultsFrom.parse("6.12.111")).hasMessageContaining("VERSION:FAULTS");
        assertThatThrownBy(() -> SimSeries.FaultsFrom.parse("6.12.111:")).hasMessageContaining("names no fault");
        assertThatThrownBy(() -> SimSeries.FaultsFrom.parse("6.12.111:meteor")).hasMessageContaining("unknown sim fault");
        assertThatThrownBy(() -> new SimKernel(new FakeHostClock(1), SimFaults.none(), new Random(), "6.12.100"))
                .hasMessageContaining("sim:");
    }
}
