package io.gapwatch.kvm;

/** struct kvm_run.exit_reason: why KVM_RUN returned to userspace (KVM_EXIT_* in linux/kvm.h). */
public enum ExitReason {
    UNKNOWN(0), EXCEPTION(1), IO(2), HYPERCALL(3), DEBUG(4), HLT(5), MMIO(6), SHUTDOWN(8), FAIL_ENTRY(9),
    INTR(10), INTERNAL_ERROR(17), SYSTEM_EVENT(24), X86_RDMSR(29), X86_WRMSR(30), XEN(34);

    public final int number;

    ExitReason(int number) {
        this.number = number;
    }

    /** The header's name of the constant. */
    public String cName() {
        return "KVM_EXIT_" + name();
    }

    /** The header's name of an exit reason, or "exit reason N" for one this table does not know. */
    public static String nameOf(int number) {
        for (ExitReason r : values()) {
            if (r.number == number) {
                return r.cName();
            }
        }
        return "exit reason " + number;
    }
}
