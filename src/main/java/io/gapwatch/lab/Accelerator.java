package io.gapwatch.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * How QEMU runs the guest. KVM inside the guest needs a virtual CPU with SVM or VMX: hardware
 * virtualization nested in the host's KVM when there is one, else QEMU's TCG, which emulates AMD SVM
 * with {@code -cpu max} (not VMX), slowly (15 to 20 times slower for a JVM) but anywhere.
 *
 * <p>Under TCG the CPU also advertises an invariant TSC (CPUID 0x80000007 EDX bit 8), from which the guest
 * kernel derives X86_FEATURE_CONSTANT_TSC: KVM on a PREEMPT_RT kernel refuses to load without it ("kvm: RT
 * requires X86_FEATURE_CONSTANT_TSC"). QEMU 7.2's TCG filters that bit out of {@code +invtsc} (with a warning);
 * {@code x-force-features=on} keeps it. The guest's TSC is QEMU's virtual clock, constant-rate indeed.
 * What QEMU was told ({@link #cpu()}) is part of every lab target, since it changes what the kernel does.
 */
public enum Accelerator {
    TCG("tcg", "tcg,thread=multi", "max,+invtsc,x-force-features=on"),
    KVM("kvm", "kvm", "host");

    private final String id;
    private final String accel;
    private final String cpu;

    Accelerator(String id, String accel, String cpu) {
        this.id = id;
        this.accel = accel;
        this.cpu = cpu;
    }

    /** QEMU's {@code -cpu} value: the CPU model and its flags, as recorded in a lab target's cpuModel. */
    public String cpu() {
        return cpu;
    }

    /** The name recorded in a report's target ({@code tcg} or {@code kvm}). */
    public String id() {
        return id;
    }

    List<String> qemuArguments() {
        return List.of("-accel", accel, "-cpu", cpu);
    }

    /** KVM when this host has it with nested virtualization on, else TCG. */
    public static Accelerator detect() {
        return detect(Path.of("/"));
    }

    /**
     * Looks under {@code root} (a test gives a fake one). A /dev/kvm alone is not enough: it can be a
     * paravirtual KVM (PVM) or one whose CPU has no SVM/VMX to pass on, where the guest's kvm_amd or
     * kvm_intel would not load; so the CPU flags and the vendor module's {@code nested} parameter decide.
     */
    static Accelerator detect(Path root) {
        Path kvm = root.resolve("dev/kvm");
        if (!Files.isReadable(kvm) || !Files.isWritable(kvm)) {
            return TCG;
        }
        Set<String> flags = cpuFlags(root.resolve("proc/cpuinfo"));
        String module = flags.contains("vmx") ? "kvm_intel" : flags.contains("svm") ? "kvm_amd" : null;
        if (module == null) {
            return TCG;
        }
        try {
            String nested = Files.readString(root.resolve("sys/module/" + module + "/parameters/nested")).strip();
            return nested.equals("Y") || nested.equals("1") ? KVM : TCG;
        } catch (IOException e) {
            return TCG;
        }
    }

    private static Set<String> cpuFlags(Path cpuinfo) {
        try (var lines = Files.lines(cpuinfo)) {
            return lines.filter(l -> l.startsWith("flags"))
                    .findFirst()
                    .map(l -> Set.<String>copyOf(Arrays.asList(l.substring(l.indexOf(':') + 1).strip().split("\\s+"))))
                    .orElse(Set.of());
        } catch (IOException e) {
            return Set.of();
        }
    }
}
