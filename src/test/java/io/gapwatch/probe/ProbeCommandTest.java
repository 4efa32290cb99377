package io.gapwatch.probe;

import io.gapwatch.cli.Json;
import io.gapwatch.cli.UsageException;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** `gapwatch probe`: kselftest exit codes, KTAP and JSON on stdout, usage errors. */
class ProbeCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private int probe(String... args) {
        return ProbeCommand.main(args, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
    }

    private String output() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void a_passing_run_exits_0_with_ktap_test_points_per_iteration() {
        int exit = probe("--backend", "sim", "--variant", "clock-realtime", "--gap-ms", "5", "--iterations", "2");

        assertThat(exit).isZero();
        assertThat(output()).startsWith("KTAP version 1\n").contains("1..2\n").contains("ok 1 iteration_1")
                .contains("ok 2 iteration_2").contains("simulated").contains("# verdict PASS");
    }

    // A fail that is expected needs several iterations and a gap longer than a preemption: the sim kernel, like a
    // real one, books a preemption of the probe thread between the clock restore and KVM_RUN as steal, and one of
    // 5 ms in a single 5 ms iteration would pass it (a fresh-clone CI on a loaded machine met exactly that).
    @Test
    void the_negative_control_failing_as_expected_exits_0_and_still_says_fail() {
        assertThat(probe("--backend", "sim", "--variant", "clock-frozen", "--gap-ms", "20", "--iterations", "3")).isZero();
        assertThat(output()).contains("not ok 1 iteration_1").contains("verdict FAIL (expected FAIL, as expected)");
    }

    @Test
    void a_result_that_is_not_as_expected_exits_1() {
        assertThat(probe("--backend", "sim", "--variant", "clock-realtime", "--gap-ms", "20", "--iterations", "3",
                "--sim-faults", "lost-gap"))
                .isEqualTo(1);
        assertThat(output()).contains("verdict FAIL (expected PASS, NOT as expected)");
    }

    @Test
    void the_help_says_what_exit_0_means_for_the_negative_control() {
        assertThat(probe("--help")).isZero();
        assertThat(output()).contains("0 the result is as expected").contains("clock-frozen").contains("4 skip");
    }

    @Test
    void json_names_the_clock_path_and_whether_the_guest_area_agrees() {
        assertThat(probe("--backend", "sim", "--sim-faults", "pre-5.16", "--gap-ms", "5", "--format", "json")).isZero();

        JsonNode json = Json.MAPPER.readTree(output());
        assertThat(json.path("clockPath").asString()).isEqualTo("elapsed-monotonic");
        assertThat(json.path("measurements").get(0).path("guestAreaAgrees").asBoolean()).isTrue();
        ProbeReport report = Json.MAPPER.readValue(output(), ProbeReport.class);
        assertThat(report.clockPath()).isEqualTo(ClockPath.ELAPSED_MONOTONIC);
    }

    @Test
    void a_skip_exits_4_and_json_carries_the_reason() {
        int exit = probe("--backend", "sim", "--variant", "clock-guest", "--format", "json");

        assertThat(exit).isEqualTo(4);
        ProbeReport report = Json.MAPPER.readValue(output(), ProbeReport.class);
        assertThat(report.verdict()).isEqualTo(Verdict.SKIP);
        assertThat(report.skipReason()).contains("KVM_GET_CLOCK_GUEST");
        assertThat(report.target().kernelRelease()).isEqualTo("sim:6.12-model");
    }

    @Test
    void bad_options_are_usage_errors_naming_the_option() {
        assertThatThrownBy(() -> probe("--gap-ms", "0")).isInstanceOf(UsageException.class).hasMessageContaining("--gap-ms");
        assertThatThrownBy(() -> probe("--iterations", "x")).isInstanceOf(UsageException.class).hasMessageContaining("--iterations");
        assertThatThrownBy(() -> probe("--variant", "clock-x")).isInstanceOf(UsageException.class).hasMessageContaining("clock-x");
        assertThatThrownBy(() -> probe("--backend", "xen")).isInstanceOf(UsageException.class).hasMessageContaining("--backend");
        assertThatThrownBy(() -> probe("--format", "xml")).isInstanceOf(UsageException.class).hasMessageContaining("--format");
        assertThatThrownBy(() -> probe("--bogus")).isInstanceOf(UsageException.class).hasMessageContaining("--bogus");
        assertThatThrownBy(() -> probe("--backend", "sim", "--sim-faults", "meteor")).isInstanceOf(UsageException.class);
    }
}
