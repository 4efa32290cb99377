package io.gapwatch.kvm;

import com.sun.jna.Memory;

/**
 * struct kvm_xen_hvm_config. The hypercall-page blob members stay 0: with INTERCEPT_HCALL the kernel
 * refuses any non-zero blob (EINVAL).
 */
final class KvmXenHvmConfig {
    static final Struct STRUCT = new Struct("kvm_xen_hvm_config", 56);
    static final Field FLAGS = STRUCT.u32("flags", 0);
    static final Field MSR = STRUCT.u32("msr", 4);

    private KvmXenHvmConfig() {
    }

    static Memory encode(int flags, int msr) {
        Memory m = STRUCT.allocate();
        FLAGS.set(m, flags);
        MSR.set(m, msr);
        return m;
    }
}
