package io.gapwatch.lab;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One boot of the lab's guest: the QEMU command line and the kernel command line that carries the run
 * to init.sh. The host root is shared read-only over 9p (the guest runs this host's java and gapwatch.jar);
 * the serial console is QEMU's stdout, read by the lab.
 *
 * @param probeArguments the {@code gapwatch probe ...} arguments the guest runs (no commas, no spaces)
 */
record GuestBoot(Path qemu, Accelerator accelerator, Path vmlinuz, Path initramfs, String nonce,
                 Path java, Path jar, List<String> probeArguments) {
    /** Memory for the guest: a JVM plus two small KVM VMs; QEMU's RSS is then about 700 MB. */
    static final String MEMORY = "2G";
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
                "-kernel", vmlinuz.toString(), "-initrd", initramfs.toString(), "-append", kernelCommandLine(),
                "-virtfs", "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"));
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
        parts.add("gapwatch.nonce=" + nonce);
        parts.add("gapwatch.java=" + java);
        parts.add("gapwatch.jar=" + jar);
        parts.add("gapwatch.args=" + String.join(",", probeArguments));
        return String.join(" ", parts);
    }
}
