package io.gapwatch.kvm;

import com.sun.jna.Memory;

/**
 * struct kvm_clock_data in its 5.16+ layout (realtime and host_tsc carved out of what was padding;
 * same size, so the request number never changed and older kernels simply leave them 0).
 */
final class KvmClockData {
    static final Struct STRUCT = new Struct("kvm_clock_data", 48);
    static final Field CLOCK = STRUCT.u64("clock", 0);
    static final Field FLAGS = STRUCT.u32("flags", 8);
    static final Field REALTIME = STRUCT.u64("realtime", 16);
    static final Field HOST_TSC = STRUCT.u64("host_tsc", 24);

    private KvmClockData() {
    }

    static Memory encode(ClockData c) {
        Memory m = STRUCT.allocate();
        CLOCK.set(m, c.clockNs());
        FLAGS.set(m, c.flags());
        REALTIME.set(m, c.realtimeNs());
        HOST_TSC.set(m, c.hostTsc());
        return m;
    }

    static ClockData decode(Memory m) {
        return new ClockData(CLOCK.get(m), (int) FLAGS.get(m), REALTIME.get(m), HOST_TSC.get(m));
    }
}
