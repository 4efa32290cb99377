package io.gapwatch.kvm;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/**
 * struct kvm_msrs followed by exactly one struct kvm_msr_entry. One MSR per call keeps the answer
 * unambiguous: the ioctl returns how many entries it processed, so anything but 1 is a refusal.
 */
final class KvmMsrs {
    static final Struct STRUCT = new Struct("kvm_msrs", 8);
    static final Field NMSRS = STRUCT.u32("nmsrs", 0);
    static final Field ENTRIES = STRUCT.flexibleArray("entries", 8);

    static final Struct ENTRY = new Struct("kvm_msr_entry", 16);
    static final Field INDEX = ENTRY.u32("index", 0);
    static final Field DATA = ENTRY.u64("data", 8);

    private KvmMsrs() {
    }

    static Memory encode(int index, long data) {
        Memory m = new Memory(STRUCT.size() + ENTRY.size());
        m.clear();
        NMSRS.set(m, 1);
        INDEX.set(entry(m), index);
        DATA.set(entry(m), data);
        return m;
    }

    static long data(Memory m) {
        return DATA.get(entry(m));
    }

    private static Pointer entry(Memory m) {
        return m.share(ENTRIES.offset());
    }
}
