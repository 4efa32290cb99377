package io.gapwatch.kvm;

import com.sun.jna.Memory;

/**
 * A vCPU's struct kvm_regs, as KVM_GET_REGS returned it. Read-modify-write: change the registers that
 * matter and hand the rest back to KVM_SET_REGS unchanged.
 */
public final class Regs {
    static final Struct STRUCT = new Struct("kvm_regs", 144);
    static final Field RIP = STRUCT.u64("rip", 128);
    static final Field RFLAGS = STRUCT.u64("rflags", 136);

    final Memory memory;

    Regs(Memory memory) {
        this.memory = memory;
    }

    public long rip() {
        return RIP.get(memory);
    }

    public void setRip(long rip) {
        RIP.set(memory, rip);
    }

    public long rflags() {
        return RFLAGS.get(memory);
    }

    public void setRflags(long rflags) {
        RFLAGS.set(memory, rflags);
    }
}
