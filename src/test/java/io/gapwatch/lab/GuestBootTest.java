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
    void tcgEmulatesAnSvmCpuOnOneVcpu() {
        GuestBoot boot = boot(Accelerator.TCG);
        assertThat(boot.qemuCommand()).containsExactly("/usr/bin/qemu-system-x86_64",
                "-accel", "tcg,thread=multi", "-cpu", "max", "-smp", "1", "-m", "2G", "-nodefaults",
                "-display", "none", "-no-reboot", "-serial", "stdio",
                "-kernel", "/k/boot/vmlinuz", "-initrd", "/k/initramfs.cpio.gz",
                "-append", "console=ttyS0 panic=-1 loglevel=4 tsc=reliable gapwatch.nonce=00ff00ff00ff00ff "
                        + "gapwatch.java=/usr/lib/jvm/java-17-openjdk-amd64/bin/java gapwatch.jar=/work/target/gapwatch.jar "
                        + "gapwatch.args=probe,--backend,kvm,--variant,clock-realtime,--gap-ms,10,--iterations,1,--format,json",
                "-virtfs", "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap");
    }

    @Test
    void kvmPassesTheHostCpuAndTrustsItsTsc() {
        List<String> cmd = boot(Accelerator.KVM).qemuCommand();
        assertThat(cmd).containsSequence("-accel", "kvm", "-cpu", "host", "-smp", "1");
        assertThat(cmd).doesNotContain("tcg,thread=multi", "max");
        assertThat(cmd.get(cmd.indexOf("-append") + 1)).startsWith("console=ttyS0 panic=-1 loglevel=4 gapwatch.nonce=")
                .doesNotContain("tsc=reliable");
    }

    @Test
    void nothingThatWouldSplitTheKernelCommandLineGetsOnIt() {
        assertThatThrownBy(() -> new GuestBoot(Path.of("/q"), Accelerator.TCG, Path.of("/k"), Path.of("/i"), "00",
                Path.of("/j"), Path.of("/g.jar"), List.of("probe", "--variant", "a b")))
                .hasMessageContaining("'a b' cannot go on a kernel command line");
        assertThatThrownBy(() -> new GuestBoot(Path.of("/q"), Accelerator.TCG, Path.of("/k"), Path.of("/i"), "00",
                Path.of("/j"), Path.of("/g.jar"), List.of("probe", "--sim-faults", "lost-gap,no-xen")))
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

    @Test
    void theGuestMustSeeJavaAndTheJar(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> KernelLab.checkGuestPath("gapwatch jar", Path.of("/dev/shm/gapwatch.jar")))
                .hasMessage("gapwatch jar /dev/shm/gapwatch.jar is under /dev, which the guest mounts afresh: it would not see it there");
        assertThatThrownBy(() -> KernelLab.checkGuestPath("gapwatch jar", Path.of("/work/my project/gapwatch.jar")))
                .hasMessageContaining("absolute path of letters, digits and ._/+- only");
        assertThatThrownBy(() -> KernelLab.checkGuestPath("java", Path.of("/nonexistent/bin/java")))
                .hasMessage("java /nonexistent/bin/java does not exist");
        KernelLab.checkGuestPath("java", Path.of(System.getProperty("java.home"), "bin", "java"));
    }

    private static GuestBoot boot(Accelerator accelerator) {
        return new GuestBoot(Path.of("/usr/bin/qemu-system-x86_64"), accelerator, Path.of("/k/boot/vmlinuz"),
                Path.of("/k/initramfs.cpio.gz"), "00ff00ff00ff00ff",
                Path.of("/usr/lib/jvm/java-17-openjdk-amd64/bin/java"), Path.of("/work/target/gapwatch.jar"), ARGS);
    }
}
