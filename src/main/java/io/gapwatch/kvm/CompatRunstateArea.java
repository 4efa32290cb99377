package io.gapwatch.kvm;

import com.sun.jna.Pointer;

/**
 * Xen's struct compat_vcpu_runstate_info (packed, 44 bytes): the layout KVM writes into the guest's
 * runstate area while the VM's long_mode attribute is 0, which it is unless set or latched by a guest
 * write of the hypercall MSR; the probe's guest does neither.
 */
public final class CompatRunstateArea {
    static final Struct STRUCT = new Struct("compat_vcpu_runstate_info", 44);
    /** After a 4-byte state and an 8-byte state_entry_time with no padding between them. */
    static final Field TIME_RUNNABLE = STRUCT.u64("time[1]", 12 + 8 * RunstateData.RUNNABLE);

    private CompatRunstateArea() {
    }

    /**
     * time[RUNSTATE_runnable] of the area at {@code areaOffset} in {@code memory}. Taken as is: the
     * XEN_RUNSTATE_UPDATE bit (63) that marks an update in progress lives in state_entry_time only.
     */
    public static long timeRunnable(GuestMemory memory, long areaOffset) {
        return TIME_RUNNABLE.get(memory.pointer(areaOffset, STRUCT.size()));
    }
}
