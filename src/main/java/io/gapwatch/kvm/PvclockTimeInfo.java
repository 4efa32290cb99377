package io.gapwatch.kvm;

/**
 * struct pvclock_vcpu_time_info (packed, 32 bytes), the argument of the proposed
 * KVM_GET_CLOCK_GUEST / KVM_SET_CLOCK_GUEST: kvmclock as a function of the guest TSC.
 */
public record PvclockTimeInfo(int version, long tscTimestamp, long systemTimeNs, int tscToSystemMul,
                              byte tscShift, byte flags) {
    public static final byte TSC_STABLE_BIT = 0x1;

    /** The pvclock formula: kvmclock ns at the given guest TSC reading. */
    public long nsAt(long guestTsc) {
        long delta = guestTsc - tscTimestamp;
        delta = tscShift >= 0 ? delta << tscShift : delta >>> -tscShift;
        long mul = Integer.toUnsignedLong(tscToSystemMul);
        long high = Math.multiplyHigh(delta, mul);
        long low = delta * mul;
        return systemTimeNs + ((high << 32) | (low >>> 32));
    }
}
