package io.gapwatch.kvm;

import com.sun.jna.Memory;

/** struct kvm_userspace_memory_region: one memslot, guest-physical range to host-virtual range. */
final class KvmUserspaceMemoryRegion {
    static final Struct STRUCT = new Struct("kvm_userspace_memory_region", 32);
    static final Field SLOT = STRUCT.u32("slot", 0);
    static final Field FLAGS = STRUCT.u32("flags", 4);
    static final Field GUEST_PHYS_ADDR = STRUCT.u64("guest_phys_addr", 8);
    static final Field MEMORY_SIZE = STRUCT.u64("memory_size", 16);
    static final Field USERSPACE_ADDR = STRUCT.u64("userspace_addr", 24);

    private KvmUserspaceMemoryRegion() {
    }

    /** Flags 0: writable, no dirty logging. */
    static Memory encode(int slot, long guestPhysAddr, long size, long userspaceAddr) {
        Memory m = STRUCT.allocate();
        SLOT.set(m, slot);
        FLAGS.set(m, 0);
        GUEST_PHYS_ADDR.set(m, guestPhysAddr);
        MEMORY_SIZE.set(m, size);
        USERSPACE_ADDR.set(m, userspaceAddr);
        return m;
    }
}
