package io.gapwatch.agent;

import io.gapwatch.cli.Options;
import io.gapwatch.cli.UsageException;
import io.gapwatch.probe.TargetInfo;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/** {@code gapwatch agent --backend sim --sim-kernels ... --sim-faults-from ...}: one simulated target per kernel. */
class SimSeriesAgentTest {
    private static final Set<String> VALUED = Set.of("sim-kernels", "sim-faults-from", "sim-faults", "kernels");

    private static List<TargetExecutor> executors(String backend, String... args) {
        return AgentCommand.executors(backend, Options.parse("agent", args, VALUED, Set.of()));
    }

    @Test
    void a_sim_series_registers_one_simulated_target_per_kernel() {
        List<TargetExecutor> executors = executors("sim", "--sim-kernels", "6.12.100,6.12.101,6.12.107,6.12.111,6.12.113",
                "--sim-faults-from", "6.12.111:extra-error-ns=3000000");

        assertThat(executors.stream().flatMap(e -> e.targets().stream()).toList())
                .extracting(TargetInfo::backend, TargetInfo::kernelRelease, TargetInfo::cpuModel)
                .containsExactly(
                        tuple("sim", "sim:6.12.100", "simulated"),
                        tuple("sim", "sim:6.12.101", "simulated"),
                        tuple("sim", "sim:6.12.107", "simulated"),
                        tuple("sim", "sim:6.12.111", "simulated"),
                        tuple("sim", "sim:6.12.113", "simulated"));
    }

    @Test
    void without_a_series_the_sim_backend_offers_the_one_model_kernel() {
        assertThat(executors("sim").get(0).targets()).extracting(TargetInfo::kernelRelease).containsExactly("sim:6.12-model");
    }

    @Test
    void series_options_outside_the_sim_backend_or_malformed_are_usage_errors() {
        assertThatThrownBy(() -> executors("sim", "--sim-faults-from", "6.12.111:lost-gap"))
                .isInstanceOf(UsageException.class).hasMessageContaining("--sim-kernels");
        assertThatThrownBy(() -> executors("sim", "--sim-kernels", "6.12.100", "--sim-faults-from", "6.12.111"))
                .isInstanceOf(UsageException.class).hasMessageContaining("VERSION:FAULTS");
        assertThatThrownBy(() -> executors("sim", "--sim-kernels", "six"))
                .isInstanceOf(UsageException.class).hasMessageContaining("version like 6.12.100");
        assertThatThrownBy(() -> executors("kvm", "--sim-kernels", "6.12.100"))
                .isInstanceOf(UsageException.class).hasMessageContaining("--backend sim");
    }
}
