package io.gapwatch.kvm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Xen HVM constants of KVM's uAPI that the migration-gap sequence uses. */
public final class Xen {
    /** KVM_CHECK_EXTENSION(KVM_CAP_XEN_HVM) answers a mask of these bits. */
    public static final int CAP_XEN_HVM = 38;
    public static final int CONFIG_HYPERCALL_MSR = 0x1;
    public static final int CONFIG_INTERCEPT_HCALL = 0x2;
    public static final int CONFIG_SHARED_INFO = 0x4;
    public static final int CONFIG_RUNSTATE = 0x8;
    public static final int CONFIG_EVTCHN_2LEVEL = 0x10;
    public static final int CONFIG_EVTCHN_SEND = 0x20;
    /** 6.2+. */
    public static final int CONFIG_RUNSTATE_UPDATE_FLAG = 0x40;
    /** 6.9+. */
    public static final int CONFIG_PVCLOCK_TSC_UNSTABLE = 0x80;
    /** 6.9+. */
    public static final int CONFIG_SHARED_INFO_HVA = 0x100;

    /** KVM_XEN_HVM_[GS]ET_ATTR type: the guest frame of the shared_info page. */
    public static final int ATTR_TYPE_SHARED_INFO = 1;
    /** KVM_XEN_VCPU_[GS]ET_ATTR type: the guest-physical address of the vCPU's runstate area. */
    public static final int VCPU_ATTR_TYPE_RUNSTATE_ADDR = 2;
    /** KVM_XEN_VCPU_[GS]ET_ATTR type: the whole in-kernel runstate, for save and restore. */
    public static final int VCPU_ATTR_TYPE_RUNSTATE_DATA = 4;

    /** The seed's hypercall MSR: a non-zero msr is what turns automatic runstate accounting on. */
    public static final int HYPERCALL_MSR = 0x40000000;
    public static final long SHARED_INFO_GPA = 0xc0000000L;
    public static final long RUNSTATE_GPA = SHARED_INFO_GPA + 0x1000;

    public static final int MSR_IA32_TSC = 0x10;
    public static final int MSR_IA32_TSC_ADJUST = 0x3b;

    private static final List<Map.Entry<Integer, String>> CONFIG_NAMES = List.of(
            Map.entry(CONFIG_HYPERCALL_MSR, "HYPERCALL_MSR"),
            Map.entry(CONFIG_INTERCEPT_HCALL, "INTERCEPT_HCALL"),
            Map.entry(CONFIG_SHARED_INFO, "SHARED_INFO"),
            Map.entry(CONFIG_RUNSTATE, "RUNSTATE"),
            Map.entry(CONFIG_EVTCHN_2LEVEL, "EVTCHN_2LEVEL"),
            Map.entry(CONFIG_EVTCHN_SEND, "EVTCHN_SEND"),
            Map.entry(CONFIG_RUNSTATE_UPDATE_FLAG, "RUNSTATE_UPDATE_FLAG"),
            Map.entry(CONFIG_PVCLOCK_TSC_UNSTABLE, "PVCLOCK_TSC_UNSTABLE"),
            Map.entry(CONFIG_SHARED_INFO_HVA, "SHARED_INFO_HVA"));

    private Xen() {
    }

    /**
     * The KVM_XEN_HVM_CONFIG_* names of the bits set in a KVM_CAP_XEN_HVM answer, oldest first;
     * bits newer than this table appear as "0x..." so a newer kernel is still described fully.
     */
    public static List<String> configNames(int mask) {
        List<String> names = new ArrayList<>();
        int unknown = mask;
        for (Map.Entry<Integer, String> bit : CONFIG_NAMES) {
            if ((mask & bit.getKey()) != 0) {
                names.add(bit.getValue());
                unknown &= ~bit.getKey();
            }
        }
        if (unknown != 0) {
            names.add(String.format("0x%x", unknown));
        }
        return names;
    }
}
