package io.gapwatch.lab;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One boot of the lab's guest: the QEMU command line and the kernel command line that carries the run
 * to init.sh. The guest has no device of the host's: everything it runs is in its initramfs, and the
 * serial console (QEMU's stdout, read by the lab) is its only way out.
 *
 * @param probeArguments the {@code gapwatch probe ...} arguments the guest runs (no commas, no spaces)
 * @param floor          boot into an init that powers off at once: the benchmark's floor for this command
 */
record GuestBoot(Path qemu, Accelerator accelerator, Path vmlinuz, Path initramfs, String nonce,
                 List<String> probeArguments, boolean floor) {
    /** Memory for the guest: the initramfs (about 60 MB unpacked), a JVM and two small KVM VMs. */
    static final String MEMORY = "1G";
    /** A kernel command-line value must not split into words, nor, for the arguments, at commas. */
    private static final Pattern ARGUMENT = Pattern.compile("[A-Za-z0-9._/+=-]+");

    GuestBoot {
        for (String a : probeArguments) {
            if (!ARGUMENT.matcher(a).matches()) {
                throw new IllegalArgumentException("probe argument '" + a + "' cannot go on a kernel command line");
            }
        }
        probeArguments = List.copyOf(probeArguments);
    }

    List<String> qemuCommand() {
        List<String> cmd = new ArrayList<>(List.of(qemu.toString()));
        cmd.addAll(accelerator.qemuArguments());
        // One vCPU: two were slower under TCG, and the probe is one thread anyway.
        cmd.addAll(List.of("-smp", "1", "-m", MEMORY, "-nodefaults", "-display", "none", "-no-reboot",
                "-serial", "stdio",
                "-kernel", vmlinuz.toString(), "-initrd", initramfs.toString(), "-append", kernelCommandLine()));
        return cmd;
    }

    /**
     * panic=-1 reboots at once on a panic, and -no-reboot turns that into QEMU's exit: a dead guest ends the
     * run instead of hanging until the timeout. Under TCG, tsc=reliable keeps the guest's clocksource on the
     * emulated TSC, which the clocksource watchdog would otherwise distrust; KVM in the guest needs a TSC
     * clocksource for its master clock, and KVM_GET_CLOCK reports KVM_CLOCK_REALTIME only in that mode.
     */
    String kernelCommandLine() {
        List<String> parts = new ArrayList<>(List.of("console=ttyS0", "panic=-1", "loglevel=4"));
        if (accelerator == Accelerator.TCG) {
            parts.add("tsc=reliable");
        }
        if (floor) {
            parts.add("gapwatch.floor=1");
        }
        parts.add("gapwatch.nonce=" + nonce);
        parts.add("gapwatch.args=" + String.join(",", probeArguments));
        return String.join(" ", parts);
    }
}
