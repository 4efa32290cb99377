package io.gapwatch.kvm;

import com.sun.jna.Memory;

/**
 * struct pvclock_vcpu_time_info, packed (32 bytes, no tail padding): the argument of the proposed
 * KVM_[GS]ET_CLOCK_GUEST. Not in the 6.1 uAPI headers; the layout is the kernel's pvclock ABI.
 * pad0 and pad stay 0: KVM_SET_CLOCK_GUEST refuses a struct with non-zero padding.
 */
final class PvclockVcpuTimeInfo {
    static final Struct STRUCT = new Struct("pvclock_vcpu_time_info", 32);
    static final Field VERSION = STRUCT.u32("version", 0);
    static final Field TSC_TIMESTAMP = STRUCT.u64("tsc_timestamp", 8);
    static final Field SYSTEM_TIME = STRUCT.u64("system_time", 16);
    static final Field TSC_TO_SYSTEM_MUL = STRUCT.u32("tsc_to_system_mul", 24);
    static final Field TSC_SHIFT = STRUCT.s8("tsc_shift", 28);
    static final Field FLAGS = STRUCT.u8("flags", 29);

    private PvclockVcpuTimeInfo() {
    }

    static Memory encode(PvclockTimeInfo p) {
        Memory m = STRUCT.allocate();
        VERSION.set(m, p.version());
        TSC_TIMESTAMP.set(m, p.tscTimestamp());
        SYSTEM_TIME.set(m, p.systemTimeNs());
        TSC_TO_SYSTEM_MUL.set(m, p.tscToSystemMul());
        TSC_SHIFT.set(m, p.tscShift());
        FLAGS.set(m, p.flags());
        return m;
    }

    static PvclockTimeInfo decode(Memory m) {
        return new PvclockTimeInfo((int) VERSION.get(m), TSC_TIMESTAMP.get(m), SYSTEM_TIME.get(m),
                (int) TSC_TO_SYSTEM_MUL.get(m), (byte) TSC_SHIFT.get(m), (byte) FLAGS.get(m));
    }
}
