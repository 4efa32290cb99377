package io.gapwatch.lab;

import io.gapwatch.cli.Json;
import io.gapwatch.probe.ClockPath;
import io.gapwatch.probe.ErrorKind;
import io.gapwatch.probe.ProbeCommand;
import io.gapwatch.probe.ProbeReport;
import io.gapwatch.probe.ProbeRequest;
import io.gapwatch.probe.TargetInfo;
import io.gapwatch.probe.Variant;
import io.gapwatch.probe.Verdict;
import io.gapwatch.probe.VerdictRules;
import org.junit.jupiter.api.Test;

import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The serial console protocol of init.sh, and what the lab makes of each way a guest can end. */
class GuestOutcomeTest {
    static final String NONCE = "0123456789abcdef";
    static final ProbeRequest REQUEST = new ProbeRequest(Variant.CLOCK_REALTIME, 10, 2, VerdictRules.defaults());
    static final GuestOutcome POWERED_OFF = new GuestOutcome(false, 0, "", 180);

    @Test
    void theReportBetweenTheMarkersIsTheRunsReportASimResultStaysLabelledSim() {
        ProbeReport inGuest = ProbeCommand.execute("sim", null, REQUEST);
        SerialConsole console = new SerialConsole(NONCE);
        boot(console);
        console.accept("@@gapwatch " + NONCE + " uname 6.12.117+deb12-amd64\r");
        console.accept("# resources: at=start fds=8 rssKb=44464");
        console.accept("@@gapwatch " + NONCE + " begin\r");
        Json.MAPPER.writeValueAsString(inGuest).lines().forEach(l -> console.accept(l + "\r"));
        console.accept("@@gapwatch " + NONCE + " end\r");
        assertThat(console.finished()).isFalse();
        console.accept("@@gapwatch " + NONCE + " exit 0\r");
        assertThat(console.finished()).isTrue();

        ProbeReport report = POWERED_OFF.report(REQUEST, console, "6.12.117+deb12-amd64", Accelerator.TCG);

        assertThat(report.verdict()).isEqualTo(inGuest.verdict()).isEqualTo(Verdict.PASS);
        assertThat(report.measurements()).isEqualTo(inGuest.measurements()).hasSize(2);
        assertThat(report.clockPath()).isEqualTo(inGuest.clockPath()).isEqualTo(ClockPath.KVM_CLOCK_REALTIME);
        assertThat(report.target()).isEqualTo(new TargetInfo("sim", "sim:6.12-model", "simulated", "tcg"));
    }

    @Test
    void theKernelReleaseIsWhatTheGuestsUnameSaid() {
        ProbeReport sim = ProbeCommand.execute("sim", null, REQUEST);
        ProbeReport inGuest = sim.withTarget(new TargetInfo("kvm", "6.1.0-56-amd64", "AMD EPYC", null));
        SerialConsole console = new SerialConsole(NONCE);
        console.accept("@@gapwatch " + NONCE + " uname 6.1.0-56-amd64");
        console.accept("@@gapwatch " + NONCE + " begin");
        console.accept(Json.MAPPER.writeValueAsString(inGuest));
        console.accept("@@gapwatch " + NONCE + " end");
        console.accept("@@gapwatch " + NONCE + " exit 0");
        ProbeReport report = POWERED_OFF.report(REQUEST, console, "/boot/vmlinuz-x", Accelerator.KVM);
        assertThat(report.target()).as("the CPU is what QEMU was told").isEqualTo(new TargetInfo("lab", "6.1.0-56-amd64", "host", "kvm"));
    }

    @Test
    void markersOfAnotherBootAndTheKernelsEchoOfItsCommandLineDoNotCount() {
        SerialConsole console = new SerialConsole(NONCE);
        console.accept("[    0.000000] Command line: console=ttyS0 gapwatch.nonce=" + NONCE + " gapwatch.args=probe");
        console.accept("@@gapwatch ffffffffffffffff exit 0");
        console.accept("echo @@gapwatch " + NONCE + " exit 0");
        assertThat(console.finished()).isFalse();
        assertThat(console.exitCode()).isNull();
    }

    @Test
    void aPanicIsAnErrorWithThePanicLineAndTheConsoleTail() {
        SerialConsole console = new SerialConsole(NONCE);
        IntStream.rangeClosed(1, 40).forEach(i -> console.accept("[    2.%06d] line %d".formatted(i, i)));
        console.accept("[    2.600000] Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100");
        console.accept("[    2.600001] ---[ end Kernel panic - not syncing: Attempted to kill init! ]---");

        ProbeReport report = POWERED_OFF.report(REQUEST, console, "6.12.117+deb12-amd64", Accelerator.TCG);

        assertThat(report.verdict()).isEqualTo(Verdict.ERROR);
        assertThat(report.asExpected()).isNull();
        assertThat(report.target().backend()).isEqualTo("lab");
        assertThat(report.target().kernelRelease()).isEqualTo("6.12.117+deb12-amd64");
        assertThat(report.error()).startsWith(
                "the guest kernel panicked: Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100\n"
                        + "--- serial console, last 30 lines ---\n[    2.000013] line 13\n");
        assertThat(report.error()).endsWith("---[ end Kernel panic - not syncing: Attempted to kill init! ]---");
        assertThat(report.error().lines().count()).isEqualTo(1 + 1 + SerialConsole.TAIL_LINES);
    }

    @Test
    void aTimeoutIsAnErrorWithTheConsoleTail() {
        SerialConsole console = new SerialConsole(NONCE);
        console.accept("@@gapwatch " + NONCE + " uname 6.12.117+deb12-amd64");
        console.accept("# resources: at=start fds=8 rssKb=44464");
        ProbeReport report = new GuestOutcome(true, -1, "", 42)
                .report(REQUEST, console, "6.12.117+deb12-amd64", Accelerator.TCG);
        assertThat(report.verdict()).isEqualTo(Verdict.ERROR);
        assertThat(report.error()).isEqualTo("the guest did not finish within 42 s (hung, or too slow: see --timeout-s)\n"
                + "--- serial console, last 2 lines ---\n"
                + "@@gapwatch " + NONCE + " uname 6.12.117+deb12-amd64\n"
                + "# resources: at=start fds=8 rssKb=44464");
    }

    @Test
    void aSilentGuestAndQemuErrorsAreSaid() {
        ProbeReport silent = new GuestOutcome(true, -1, "", 42)
                .report(REQUEST, new SerialConsole(NONCE), "6.12.117+deb12-amd64", Accelerator.TCG);
        assertThat(silent.error()).endsWith("(the serial console stayed silent)");
        ProbeReport qemu = new GuestOutcome(false, 1, "qemu-system-x86_64: could not load kernel '/x/vmlinuz'\n", 42)
                .report(REQUEST, new SerialConsole(NONCE), "6.12.117+deb12-amd64", Accelerator.TCG);
        assertThat(qemu.error()).startsWith("QEMU exited with 1: qemu-system-x86_64: could not load kernel '/x/vmlinuz'");
    }

    @Test
    void initGivingUpIsAnErrorWithItsReason() {
        SerialConsole console = new SerialConsole(NONCE);
        console.accept("insmod: can't insert '/lib/modules/kvm.ko': invalid module format");
        console.accept("@@gapwatch " + NONCE + " fail insmod kvm failed: insmod: can't insert '/lib/modules/kvm.ko': invalid module format");
        assertThat(console.finished()).isTrue();
        ProbeReport report = POWERED_OFF.report(REQUEST, console, "6.1.0-56-amd64", Accelerator.TCG);
        assertThat(report.verdict()).isEqualTo(Verdict.ERROR);
        assertThat(report.errorKind()).as("the lab's failure, worth another attempt").isEqualTo(ErrorKind.INFRASTRUCTURE);
        assertThat(report.error()).startsWith("the guest could not run the probe: insmod kvm failed: ");
    }

    @Test
    void aKernelWhoseKvmRefusesThisCpuIsSkippedWithTheKernelsReason() {
        SerialConsole console = new SerialConsole(NONCE);
        console.accept("@@gapwatch " + NONCE + " uname 6.12.117+deb12-rt-amd64");
        console.accept("[    6.236344] kvm: RT requires X86_FEATURE_CONSTANT_TSC");
        console.accept("@@gapwatch " + NONCE + " skip KVM does not load (kvm_amd: kvm: RT requires X86_FEATURE_CONSTANT_TSC )");
        assertThat(console.finished()).as("the guest said all it will").isTrue();
        ProbeReport report = POWERED_OFF.report(REQUEST, console, "6.12.117+deb12-rt-amd64", Accelerator.TCG);
        assertThat(report.verdict()).isEqualTo(Verdict.SKIP);
        assertThat(report.errorKind()).isNull();
        assertThat(report.skipReason()).isEqualTo("kernel 6.12.117+deb12-rt-amd64 cannot run the probe: KVM does not "
                + "load (kvm_amd: kvm: RT requires X86_FEATURE_CONSTANT_TSC )");
        assertThat(report.target()).isEqualTo(new TargetInfo("lab", "6.12.117+deb12-rt-amd64",
                "max,+invtsc,x-force-features=on", "tcg"));
    }

    @Test
    void aProbeThatPrintedNothingOrGarbageIsAnError() {
        SerialConsole empty = new SerialConsole(NONCE);
        empty.accept("Error: Unable to access jarfile /work/x/gapwatch.jar");
        empty.accept("@@gapwatch " + NONCE + " begin");
        empty.accept("@@gapwatch " + NONCE + " end");
        empty.accept("@@gapwatch " + NONCE + " exit 1");
        assertThat(POWERED_OFF.report(REQUEST, empty, "k", Accelerator.TCG).error())
                .startsWith("the probe in the guest exited 1 without a report\n")
                .contains("Unable to access jarfile");

        SerialConsole garbage = new SerialConsole(NONCE);
        garbage.accept("@@gapwatch " + NONCE + " begin");
        garbage.accept("{ \"variant\" : ");
        garbage.accept("@@gapwatch " + NONCE + " end");
        garbage.accept("@@gapwatch " + NONCE + " exit 0");
        assertThat(POWERED_OFF.report(REQUEST, garbage, "k", Accelerator.TCG).error())
                .startsWith("the guest's report is unreadable");
    }

    @Test
    void aReportForAnotherRequestIsRefused() {
        ProbeReport other = ProbeCommand.execute("sim", null,
                new ProbeRequest(Variant.CLOCK_FROZEN, 10, 2, VerdictRules.defaults()));
        SerialConsole console = new SerialConsole(NONCE);
        console.accept("@@gapwatch " + NONCE + " begin");
        console.accept(Json.MAPPER.writeValueAsString(other));
        console.accept("@@gapwatch " + NONCE + " end");
        console.accept("@@gapwatch " + NONCE + " exit 1");
        assertThat(POWERED_OFF.report(REQUEST, console, "k", Accelerator.TCG).error())
                .startsWith("the guest's report is not for this request");
    }

    private static void boot(SerialConsole console) {
        console.accept("[    0.000000] Linux version 6.12.117+deb12-amd64");
        console.accept("[    2.100000] Run /init as init process");
    }
}
