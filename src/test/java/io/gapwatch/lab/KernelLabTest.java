package io.gapwatch.lab;

import io.gapwatch.export.Ktap;
import io.gapwatch.probe.Measurement;
import io.gapwatch.probe.ProbeReport;
import io.gapwatch.probe.ProbeRequest;
import io.gapwatch.probe.Variant;
import io.gapwatch.probe.Verdict;
import io.gapwatch.probe.VerdictRules;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Boots real Debian kernels under QEMU and runs the packaged gapwatch.jar inside them.
 *
 * <p>Selected by the JUnit tag {@code lab}: {@code mvn test} leaves it out; {@code mvn verify} runs it in
 * the surefire execution "lab", bound to the integration-test phase, after the jar is packaged, with
 * {@code -Dgapwatch.jar} pointing at it ({@code -DskipLabTests} leaves it out). It needs the packages of
 * {@link HostTools#APT_PACKAGES} and reaches apt's mirror on the first run (two kernels, about 170 MB,
 * then cached in $GAPWATCH_HOME/kernels). With CI=true a lab that cannot start fails the test; elsewhere
 * the test is skipped with the reason.
 */
@Tag("lab")
class KernelLabTest {
    static final String K6_12 = "6.12.117+deb12-amd64";
    static final String K6_1 = "6.1.0-56-amd64";
    /** PREEMPT_RT: KVM loads only on a CPU with a constant TSC (the lab's TCG CPU has an invariant one). */
    static final String K6_12_RT = "6.12.117+deb12-rt-amd64";

    static KernelLab lab;

    @BeforeAll
    static void theLabCanStart() {
        lab = KernelLab.fromEnvironment();
        try {
            lab.check();
            lab.resolve(K6_12);
            lab.resolve(K6_1);
            lab.resolve(K6_12_RT);
        } catch (LabException e) {
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true and the kernel lab cannot start: " + e.getMessage());
            }
            Assumptions.abort("the kernel lab cannot start here: " + e.getMessage());
        }
    }

    @Test
    void clockRealtimeOn6_12AccountsTheGapWithinItsBracket() {
        ProbeReport report = run(K6_12, Variant.CLOCK_REALTIME, 3);
        assertThat(report.target().backend()).isEqualTo("lab");
        assertThat(report.target().kernelRelease()).isEqualTo(K6_12);
        assertThat(report.target().accelerator()).isEqualTo(lab.accelerator().id());
        assertThat(report.target().cpuModel()).as("what QEMU was told").isEqualTo(lab.accelerator().cpu());
        assertThat(report.verdict()).as(report.error()).isEqualTo(Verdict.PASS);
        assertThat(report.asExpected()).isTrue();
        assertMostWithinTheBracket(report);
    }

    @Test
    void clockFrozenOn6_12LosesTheGapAsTheNegativeControlMust() {
        ProbeReport report = run(K6_12, Variant.CLOCK_FROZEN, 2);
        assertThat(report.target().kernelRelease()).isEqualTo(K6_12);
        assertThat(report.verdict()).as(report.error()).isEqualTo(Verdict.FAIL);
        assertThat(report.asExpected()).isTrue();
    }

    @Test
    void clockRealtimeOnTheRealTimeFlavourPassesItsKvmLoadsOnTheInvariantTsc() {
        ProbeReport report = run(K6_12_RT, Variant.CLOCK_REALTIME, 3);
        assertThat(report.target().kernelRelease()).isEqualTo(K6_12_RT);
        assertThat(report.verdict()).as(report.error() + " " + report.skipReason()).isEqualTo(Verdict.PASS);
        assertMostWithinTheBracket(report);
    }

    /**
     * The guest cannot see the real host stall QEMU (its run delay is the guest's own), so on a loaded machine an
     * iteration now and then books a stall of the emulator as steal, outside its bracket: a fresh-clone CI saw
     * +108 ms in one of two iterations on the rt kernel. Most iterations, not all, must be within it.
     */
    private static void assertMostWithinTheBracket(ProbeReport report) {
        assertThat(report.measurements()).hasSize(3).filteredOn(Measurement::withinBracket)
                .as("iterations within the bracket: " + report.measurements()).hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void clockFrozenOnTheRealTimeFlavourFailsAsExpected() {
        ProbeReport report = run(K6_12_RT, Variant.CLOCK_FROZEN, 2);
        assertThat(report.target().kernelRelease()).isEqualTo(K6_12_RT);
        assertThat(report.verdict()).as(report.error() + " " + report.skipReason()).isEqualTo(Verdict.FAIL);
        // a preemption after the clock save sometimes makes this kernel refuse the frozen restore: a FAIL too
        System.out.println("rt clock-frozen: FAIL, " + (report.error() == null
                ? report.measurements().size() + " iterations measured" : "restore refused: " + report.error()));
        assertThat(report.asExpected()).isTrue();
    }

    @Test
    void clockGuestOn6_12IsSkippedForWantOfTheProposedIoctl() {
        ProbeReport report = run(K6_12, Variant.CLOCK_GUEST, 1);
        assertThat(report.verdict()).as(report.error()).isEqualTo(Verdict.SKIP);
        assertThat(report.skipReason()).contains("KVM_GET_CLOCK_GUEST");
    }

    @Test
    void kernel6_1WithoutKvmXenIsSkipped() {
        ProbeReport report = run(K6_1, Variant.CLOCK_REALTIME, 1);
        assertThat(report.target().kernelRelease()).isEqualTo(K6_1);
        assertThat(report.verdict()).as(report.error()).isEqualTo(Verdict.SKIP);
        assertThat(report.skipReason()).contains("KVM_CAP_XEN_HVM");
    }

    /** The lab's own plumbing, apart from the kvm backend: boot, the runtime in the initramfs, the console protocol. */
    @Test
    void theSimBackendRunsInTheGuestAndStaysLabelledSim() throws LabException {
        KernelLab plumbing = new KernelLab(io.gapwatch.cli.GapwatchHome.path(), KernelLab.defaultJar(),
                lab.accelerator(), "sim");
        List<String> console = new CopyOnWriteArrayList<>();
        ProbeRequest request = new ProbeRequest(Variant.CLOCK_REALTIME, 10, 2, VerdictRules.defaults());
        ProbeReport report = plumbing.run(plumbing.resolve(K6_12), request, KernelLab.defaultTimeout(request), console::add);
        System.out.print(Ktap.write(report));
        assertThat(report.verdict()).as(report.error()).isEqualTo(Verdict.PASS);
        assertThat(report.target().backend()).isEqualTo("sim");
        assertThat(report.target().accelerator()).isEqualTo(lab.accelerator().id());
        assertThat(report.measurements()).hasSize(2);
        assertThat(console).anyMatch(l -> l.matches("@@gapwatch [0-9a-f]{16} uname " + java.util.regex.Pattern.quote(K6_12)));
        assertThat(console).anyMatch(l -> l.startsWith("# resources: at=iteration-2 fds="));
    }

    /**
     * A guest known to hang after it has spoken: its probe sleeps a 60 s gap ten times, far past the
     * deadline, so the deadline falls while the guest sits in the probe, long after init printed its uname
     * marker. The deadline is that of a normal run (the other tests' guests finish well within it), so the
     * guest has printed by then on any machine that can run the lab at all; the test checks it did.
     */
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES) // the guest's own deadline is 120 s, plus boot and reaping
    void aGuestThatHangsAfterItSpokeIsKilledReapedAndReportedWithItsConsole() throws LabException {
        ProbeRequest hangs = new ProbeRequest(Variant.CLOCK_REALTIME, ProbeRequest.MAX_GAP_MS, 10, VerdictRules.defaults());
        Duration deadline = KernelLab.defaultTimeout(new ProbeRequest(Variant.CLOCK_REALTIME, 10, 1, VerdictRules.defaults()));
        List<String> console = new CopyOnWriteArrayList<>();
        ProbeReport report = lab.run(lab.resolve(K6_12), hangs, deadline, line -> console.add(line.replace("\r", "")));
        System.out.print(Ktap.write(report));
        String lastWords = console.stream().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("(nothing)");

        assertThat(console).as("the guest's init printed its uname marker before the deadline (console: %s)", console)
                .anyMatch(l -> l.matches("@@gapwatch [0-9a-f]{16} uname .*"));
        assertThat(report.verdict()).isEqualTo(Verdict.ERROR);
        assertThat(report.error()).startsWith("the guest did not finish within " + deadline.toSeconds() + " s")
                .contains("--- serial console, last ")
                .contains(lastWords)
                .doesNotContain("stayed silent");
        assertThat(ProcessHandle.current().descendants()).as("QEMU was reaped")
                .noneMatch(p -> p.info().command().orElse("").contains("qemu-system"));
    }

    @Test
    void anUnknownKernelIsNamed() {
        ProbeReport report = lab.run("6.1.0-999-amd64", new ProbeRequest(Variant.CLOCK_REALTIME, 10, 1, VerdictRules.defaults()));
        assertThat(report.verdict()).isEqualTo(Verdict.ERROR);
        assertThat(report.error()).startsWith("unknown kernel 6.1.0-999-amd64: apt has no package linux-image-6.1.0-999-amd64");
    }

    private static ProbeReport run(String kernel, Variant variant, int iterations) {
        ProbeReport report = lab.run(kernel, new ProbeRequest(variant, 10, iterations, VerdictRules.defaults()));
        System.out.print(Ktap.write(report));
        return report;
    }
}
