package io.gapwatch.kvm;

import com.sun.jna.Memory;

/**
 * A vCPU's struct kvm_sregs, as KVM_GET_SREGS returned it. Read-modify-write, like {@link Regs}: the
 * segment attributes, descriptor tables and control registers a reset vCPU has are kept as they are.
 * Only the code segment is exposed: a real-mode guest at a low address needs nothing else.
 */
public final class Sregs {
    static final Struct STRUCT = new Struct("kvm_sregs", 312);
    static final Field CS_BASE = STRUCT.u64("cs.base", 0);
    static final Field CS_SELECTOR = STRUCT.u16("cs.selector", 12);

    final Memory memory;

    Sregs(Memory memory) {
        this.memory = memory;
    }

    public long csBase() {
        return CS_BASE.get(memory);
    }

    public void setCsBase(long base) {
        CS_BASE.set(memory, base);
    }

    public int csSelector() {
        return (int) CS_SELECTOR.get(memory);
    }

    public void setCsSelector(int selector) {
        CS_SELECTOR.set(memory, selector);
    }
}
