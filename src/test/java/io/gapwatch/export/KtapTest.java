package io.gapwatch.export;

import io.gapwatch.probe.ClockPath;
import io.gapwatch.probe.Measurement;
import io.gapwatch.probe.ProbeReport;
import io.gapwatch.probe.ProbeRequest;
import io.gapwatch.probe.TargetInfo;
import io.gapwatch.probe.Variant;
import io.gapwatch.probe.VerdictRules;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class KtapTest {
    private static final TargetInfo LAB = new TargetInfo("lab", "6.12.117+deb12-amd64", null, "tcg");

    /** An iteration of a 10 ms gap: steal inside the bracket [10.2, 10.6] ms unless told otherwise. */
    private static Measurement iteration(int n, long stealNs, long guestAreaNs, Long hostRunDelayNs) {
        long low = 10_200_000;
        long high = 10_600_000;
        VerdictRules rules = VerdictRules.defaults();
        return new Measurement(n, 1_000_000, 1_000_000 + stealNs, stealNs, 1_000_000 + guestAreaNs, low, high,
                hostRunDelayNs, VerdictRules.errorNs(stealNs, low, high),
                rules.withinBracket(stealNs, low, high, hostRunDelayNs), rules.passes(stealNs, 10), 1, 1, 1, 1);
    }

    private static ProbeReport judged(boolean strict, ClockPath path, List<Measurement> measurements) {
        ProbeRequest request = new ProbeRequest(Variant.CLOCK_REALTIME, 10, measurements.size(),
                new VerdictRules(VerdictRules.DEFAULT_TOLERANCE_NS, strict));
        return ProbeReport.judged(request, LAB, path, request.rules().runVerdict(measurements), measurements);
    }

    @Test
    void inStrictModeAnIterationOutsideItsBracketIsNotOkAsTheVerdictCountsIt() {
        Measurement accurate = iteration(1, 10_400_000, 10_400_000, 0L);
        Measurement overAccounted = iteration(2, 15_000_000, 15_000_000, 0L);

        String strict = Ktap.write(judged(true, ClockPath.KVM_CLOCK_REALTIME, List.of(accurate, overAccounted)));
        String lenient = Ktap.write(judged(false, ClockPath.KVM_CLOCK_REALTIME, List.of(accurate, overAccounted)));

        assertThat(strict).contains("\nok 1 iteration_1\n").contains("\nnot ok 2 iteration_2\n")
                .contains("# verdict FAIL (expected PASS, NOT as expected)");
        assertThat(lenient).contains("\nok 1 iteration_1\n").contains("\nok 2 iteration_2\n")
                .contains("# verdict PASS (expected PASS, as expected)");
    }

    @Test
    void aRestoreTheKernelRefusedIsTheNextIterationNotOkWithItsReasonAndTheRunFails() {
        ProbeRequest request = new ProbeRequest(Variant.CLOCK_FROZEN, 10, 3, VerdictRules.defaults());
        Measurement first = iteration(1, 400_000, 400_000, 0L);

        String ktap = Ktap.write(ProbeReport.refused(request, LAB, ClockPath.FROZEN,
                "the kernel refused the saved runstate in iteration 2 (KVM_XEN_VCPU_SET_ATTR(RUNSTATE_DATA) failed: EINVAL (22))",
                List.of(first)));

        assertThat(ktap).contains("1..3\n").contains("\nnot ok 1 iteration_1\n")
                .contains("\n# iteration 2: the kernel refused the saved runstate in iteration 2 (KVM_XEN_VCPU_SET_ATTR"
                        + "(RUNSTATE_DATA) failed: EINVAL (22))\nnot ok 2 iteration_2\n")
                .contains("# verdict FAIL (expected FAIL, as expected)")
                .doesNotContain("# ERROR");
    }

    @Test
    void theClockPathIsADiagnosticLine() {
        String ktap = Ktap.write(judged(false, ClockPath.ELAPSED_MONOTONIC, List.of(iteration(1, 10_400_000, 10_400_000, 0L))));

        assertThat(ktap).contains("# target: backend=lab kernel=6.12.117+deb12-amd64 accelerator=tcg\n"
                + "# clock path: elapsed-monotonic\n1..1\n");
    }

    @Test
    void anUnreadableRunDelayIsShownAsUnavailableAndTheBracketSaysItAllowsNoPreemption() {
        String ktap = Ktap.write(judged(false, ClockPath.KVM_CLOCK_REALTIME, List.of(iteration(1, 10_400_000, 10_400_000, null))));

        assertThat(ktap).contains("hostRunDelay=unavailable (the bracket allows no host preemption)")
                .doesNotContain("hostRunDelay=0.000");
    }

    @Test
    void aGuestAreaThatDisagreesWithTheIoctlIsNotOkAndSaysBothValues() {
        String ktap = Ktap.write(judged(false, ClockPath.KVM_CLOCK_REALTIME, List.of(iteration(1, 10_400_000, 0, 0L))));

        assertThat(ktap).contains("# iteration 1: guest runstate area says time_runnable=1.000 ms, the ioctl 11.400 ms: they disagree\n")
                .contains("\nnot ok 1 iteration_1\n").contains("# verdict FAIL");
    }

    @Test
    void aMultiLineErrorKeepsItsFirstLineOnTheTestPointAndTheRestAsDiagnostics() {
        ProbeReport report = ProbeReport.broken(new ProbeRequest(Variant.CLOCK_REALTIME, 10, 1, VerdictRules.defaults()),
                LAB,
                "the guest kernel panicked: Kernel panic - not syncing: VFS\n--- serial console, last 2 lines ---\n"
                        + "[    2.1] VFS: Unable to mount root fs\n[    2.2] Kernel panic - not syncing: VFS", List.of());
        assertThat(Ktap.write(report)).isEqualTo("""
                KTAP version 1
                # gapwatch migration-gap probe: variant=clock-realtime gapMs=10 iterations=1
                # target: backend=lab kernel=6.12.117+deb12-amd64 accelerator=tcg
                1..1
                not ok 1 iteration_1 # ERROR the guest kernel panicked: Kernel panic - not syncing: VFS
                # --- serial console, last 2 lines ---
                # [    2.1] VFS: Unable to mount root fs
                # [    2.2] Kernel panic - not syncing: VFS
                # verdict ERROR (expected PASS)
                """);
    }
}
