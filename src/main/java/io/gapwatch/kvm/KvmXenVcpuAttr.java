package io.gapwatch.kvm;

import com.sun.jna.Memory;

/** struct kvm_xen_vcpu_attr: a 16-bit type at 0, then a 64-byte union of payloads at 8. */
final class KvmXenVcpuAttr {
    static final Struct STRUCT = new Struct("kvm_xen_vcpu_attr", 72);
    static final Field TYPE = STRUCT.u16("type", 0);
    static final Field GPA = STRUCT.u64("u.gpa", 8);
    static final Field STATE = STRUCT.u64("u.runstate.state", 8);
    static final Field STATE_ENTRY_TIME = STRUCT.u64("u.runstate.state_entry_time", 16);
    static final Field TIME_RUNNING = STRUCT.u64("u.runstate.time_running", 24);
    static final Field TIME_RUNNABLE = STRUCT.u64("u.runstate.time_runnable", 32);
    static final Field TIME_BLOCKED = STRUCT.u64("u.runstate.time_blocked", 40);
    static final Field TIME_OFFLINE = STRUCT.u64("u.runstate.time_offline", 48);

    private KvmXenVcpuAttr() {
    }

    static Memory gpa(int type, long gpa) {
        Memory m = STRUCT.allocate();
        TYPE.set(m, type);
        GPA.set(m, gpa);
        return m;
    }

    /** A request for KVM_XEN_VCPU_GET_ATTR: only the type is read, the kernel fills the union. */
    static Memory query(int type) {
        Memory m = STRUCT.allocate();
        TYPE.set(m, type);
        return m;
    }

    static Memory runstate(RunstateData r) {
        Memory m = query(Xen.VCPU_ATTR_TYPE_RUNSTATE_DATA);
        STATE.set(m, r.state());
        STATE_ENTRY_TIME.set(m, r.stateEntryTime());
        TIME_RUNNING.set(m, r.timeRunning());
        TIME_RUNNABLE.set(m, r.timeRunnable());
        TIME_BLOCKED.set(m, r.timeBlocked());
        TIME_OFFLINE.set(m, r.timeOffline());
        return m;
    }

    static RunstateData runstate(Memory m) {
        return new RunstateData((int) STATE.get(m), STATE_ENTRY_TIME.get(m), TIME_RUNNING.get(m),
                TIME_RUNNABLE.get(m), TIME_BLOCKED.get(m), TIME_OFFLINE.get(m));
    }
}
