package io.gapwatch.kvm;

/**
 * struct kvm_clock_data (KVM_GET_CLOCK / KVM_SET_CLOCK): the VM's kvmclock in ns, flags,
 * and, since 5.16, the host CLOCK_REALTIME and TSC sampled at the same instant.
 */
public record ClockData(long clockNs, int flags, long realtimeNs, long hostTsc) {
    /**
     * KVM_CHECK_EXTENSION(KVM_CAP_ADJUST_CLOCK): from 5.16 the flags KVM_SET_CLOCK accepts
     * (TSC_STABLE | REALTIME | HOST_TSC); before, KVM_CLOCK_TSC_STABLE only, while KVM_SET_CLOCK refuses any flag.
     */
    public static final int CAP_ADJUST_CLOCK = 39;
    public static final int TSC_STABLE = 0x2;
    public static final int REALTIME = 0x4;
    public static final int HOST_TSC = 0x8;

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    public ClockData withFlags(int newFlags) {
        return new ClockData(clockNs, newFlags, realtimeNs, hostTsc);
    }
}
