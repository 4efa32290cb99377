package io.gapwatch.kvm;

import com.sun.jna.Memory;

/** struct kvm_xen_hvm_attr: a 16-bit type at 0, then a 64-byte union of payloads at 8. */
final class KvmXenHvmAttr {
    static final Struct STRUCT = new Struct("kvm_xen_hvm_attr", 72);
    static final Field TYPE = STRUCT.u16("type", 0);
    static final Field SHARED_INFO_GFN = STRUCT.u64("u.shared_info.gfn", 8);

    private KvmXenHvmAttr() {
    }

    static Memory sharedInfo(long gfn) {
        Memory m = STRUCT.allocate();
        TYPE.set(m, Xen.ATTR_TYPE_SHARED_INFO);
        SHARED_INFO_GFN.set(m, gfn);
        return m;
    }
}
