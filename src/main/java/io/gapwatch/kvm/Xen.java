package io.gapwatch.kvm;

/** Xen HVM constants of KVM's uAPI that the migration-gap sequence uses. */
public final class Xen {
    /** KVM_CHECK_EXTENSION(KVM_CAP_XEN_HVM) answers a mask of these bits. */
    public static final int CAP_XEN_HVM = 38;
    public static final int CONFIG_HYPERCALL_MSR = 0x1;
    public static final int CONFIG_INTERCEPT_HCALL = 0x2;
    public static final int CONFIG_SHARED_INFO = 0x4;
    public static final int CONFIG_RUNSTATE = 0x8;

    /** The seed's hypercall MSR: a non-zero msr is what turns automatic runstate accounting on. */
    public static final int HYPERCALL_MSR = 0x40000000;
    public static final long SHARED_INFO_GPA = 0xc0000000L;
    public static final long RUNSTATE_GPA = SHARED_INFO_GPA + 0x1000;

    public static final int MSR_IA32_TSC = 0x10;
    public static final int MSR_IA32_TSC_ADJUST = 0x3b;

    private Xen() {
    }
}
