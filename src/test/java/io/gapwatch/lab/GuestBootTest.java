package io.gapwatch.lab;

import io.gapwatch.probe.ProbeRequest;
import io.gapwatch.probe.Variant;
import io.gapwatch.probe.VerdictRules;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The QEMU and kernel command lines, the accelerator choice and the probe's arguments in the guest. */
class GuestBootTest {
    static final List<String> ARGS = List.of("probe", "--backend", "kvm", "--variant", "clock-realtime",
            "--gap-ms", "10", "--iterations", "1", "--format", "json");

    @Test
    void tcgEmulatesAnSvmCpuWithAnInvariantTscOnOneVcpuAndSharesNothingOfTheHost() {
        GuestBoot boot = boot(Accelerator.TCG, false);
        assertThat(boot.qemuCommand()).containsExactly("/usr/bin/qemu-system-x86_64",
                "-accel", "tcg,thread=multi", "-cpu", "max,+invtsc,x-force-features=on", "-smp", "1", "-m", "1G",
                "-nodefaults", "-display", "none", "-no-reboot", "-serial", "stdio",
                "-kernel", "/k/boot/vmlinuz", "-initrd", "/k/initramfs.cpio",
                "-append", "console=ttyS0 panic=-1 loglevel=4 tsc=reliable gapwatch.nonce=00ff00ff00ff00ff "
                        + "gapwatch.args=probe,--backend,kvm,--variant,clock-realtime,--gap-ms,10,--iterations,1,--format,json");
    }

    @Test
    void theFloorIsTheSameCommandWithAnInitThatEndsAtOnce() {
        List<String> run = boot(Accelerator.TCG, false).qemuCommand();
        List<String> floor = boot(Accelerator.TCG, true).qemuCommand();
        int append = run.indexOf("-append") + 1;
        assertThat(floor.subList(0, append)).isEqualTo(run.subList(0, append));
        assertThat(floor.get(append)).isEqualTo(run.get(append).replace("gapwatch.nonce", "gapwatch.floor=1 gapwatch.nonce"));
    }

    @Test
    void theTargetRecordsWhatQemuWasTold() {
        assertThat(Accelerator.TCG.cpu()).isEqualTo("max,+invtsc,x-force-features=on");
        assertThat(Accelerator.KVM.cpu()).isEqualTo("host");
    }

    @Test
    void kvmPassesTheHostCpuAndTrustsItsTsc() {
        List<String> cmd = boot(Accelerator.KVM, false).qemuCommand();
        assertThat(cmd).containsSequence("-accel", "kvm", "-cpu", "host", "-smp", "1");
        assertThat(cmd).doesNotContain("tcg,thread=multi", "max,+invtsc,x-force-features=on");
        assertThat(cmd.get(cmd.indexOf("-append") + 1)).startsWith("console=ttyS0 panic=-1 loglevel=4 gapwatch.nonce=")
                .doesNotContain("tsc=reliable");
    }

    @Test
    void nothingThatWouldSplitTheKernelCommandLineGetsOnIt() {
        assertThatThrownBy(() -> new GuestBoot(Path.of("/q"), Accelerator.TCG, Path.of("/k"), Path.of("/i"), "00",
                List.of("probe", "--variant", "a b"), false))
                .hasMessageContaining("'a b' cannot go on a kernel command line");
        assertThatThrownBy(() -> new GuestBoot(Path.of("/q"), Accelerator.TCG, Path.of("/k"), Path.of("/i"), "00",
                List.of("probe", "--sim-faults", "lost-gap,no-xen"), false))
                .hasMessageContaining("cannot go on a kernel command line");
    }

    @Test
    void theGuestRunsTheKvmBackendWithTheRequest(@TempDir Path home) {
        KernelLab lab = new KernelLab(home, Path.of("/work/target/gapwatch.jar"));
        ProbeRequest request = new ProbeRequest(Variant.CLOCK_FROZEN, 25, 200, new VerdictRules(1_500_000, true));
        assertThat(lab.probeArguments(request)).containsExactly("probe", "--backend", "kvm", "--variant", "clock-frozen",
                "--gap-ms", "25", "--iterations", "200", "--format", "json", "--tolerance-ms", "1.5",
                "--resource-report", "--strict");
        assertThat(lab.probeArguments(new ProbeRequest(Variant.CLOCK_REALTIME, 10, 1, VerdictRules.defaults())))
                .containsSequence("--tolerance-ms", "1", "--resource-report").doesNotContain("--strict");
    }

    @Test
    void kvmOnlyWithSvmOrVmxAndNestedVirtualization(@TempDir Path root) throws Exception {
        assertThat(Accelerator.detect(root)).as("no /dev/kvm").isEqualTo(Accelerator.TCG);
        Files.createDirectories(root.resolve("dev"));
        Files.createFile(root.resolve("dev/kvm"));
        Files.createDirectories(root.resolve("proc"));
        Files.writeString(root.resolve("proc/cpuinfo"), "processor\t: 0\nflags\t\t: fpu sse2 hypervisor\n");
        assertThat(Accelerator.detect(root)).as("a /dev/kvm on a CPU without SVM/VMX (PVM)").isEqualTo(Accelerator.TCG);
        Files.writeString(root.resolve("proc/cpuinfo"), "processor\t: 0\nflags\t\t: fpu vmx sse2\n");
        assertThat(Accelerator.detect(root)).as("VMX, kvm_intel not loaded").isEqualTo(Accelerator.TCG);
        Path nested = Files.createDirectories(root.resolve("sys/module/kvm_intel/parameters")).resolve("nested");
        Files.writeString(nested, "N\n");
        assertThat(Accelerator.detect(root)).as("nested off").isEqualTo(Accelerator.TCG);
        Files.writeString(nested, "Y\n");
        assertThat(Accelerator.detect(root)).isEqualTo(Accelerator.KVM);
        Files.writeString(root.resolve("proc/cpuinfo"), "processor\t: 0\nflags\t\t: fpu svm sse2\n");
        Files.createDirectories(root.resolve("sys/module/kvm_amd/parameters"));
        Files.writeString(root.resolve("sys/module/kvm_amd/parameters/nested"), "1\n");
        assertThat(Accelerator.detect(root)).isEqualTo(Accelerator.KVM);
    }

    private static GuestBoot boot(Accelerator accelerator, boolean floor) {
        return new GuestBoot(Path.of("/usr/bin/qemu-system-x86_64"), accelerator, Path.of("/k/boot/vmlinuz"),
                Path.of("/k/initramfs.cpio"), "00ff00ff00ff00ff", ARGS, floor);
    }
}
