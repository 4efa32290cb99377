package io.gapwatch.kvm;

/**
 * struct kvm_clock_data (KVM_GET_CLOCK / KVM_SET_CLOCK): the VM's kvmclock in ns, flags,
 * and, since 5.16, the host CLOCK_REALTIME and TSC sampled at the same instant.
 */
public record ClockData(long clockNs, int flags, long realtimeNs, long hostTsc) {
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
