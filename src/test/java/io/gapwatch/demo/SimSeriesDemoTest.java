package io.gapwatch.demo;

import io.gapwatch.agent.TargetExecutor;
import io.gapwatch.probe.TargetInfo;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The demo's story holds: its sweeps straddle the planted fault, with served kernels between to bisect. */
class SimSeriesDemoTest {

    @Test
    void the_swept_kernels_straddle_the_fault_and_the_kernels_between_are_served_for_a_bisection() {
        List<String> served = SimSeriesDemo.executors().stream().map(TargetExecutor::targets).flatMap(List::stream)
                .map(TargetInfo::kernelRelease).toList();

        assertThat(served).containsAll(SimSeriesDemo.SWEPT).contains(SimSeriesDemo.BASELINE);
        assertThat(SimSeriesDemo.SWEPT).contains("sim:6.12.108", "sim:6.12.112"); // last good, first bad swept
        assertThat(served).contains("sim:6.12.109", "sim:6.12.110", "sim:6.12.111");  // what a bisection runs
        assertThat(SimSeriesDemo.FAULT).startsWith("6.12.111:");
        assertThat(served).allMatch(k -> k.startsWith("sim:"));
    }
}
