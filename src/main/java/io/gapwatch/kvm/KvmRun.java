package io.gapwatch.kvm;

import com.sun.jna.Pointer;

/**
 * struct kvm_run, the page the kernel shares with userspace through mmap of a vCPU fd.
 * Only the members that tell why KVM_RUN returned are read; the exit union starts at 32.
 */
final class KvmRun {
    static final Struct STRUCT = new Struct("kvm_run", 2352);
    static final Field EXIT_REASON = STRUCT.u32("exit_reason", 8);
    static final Field IO_DIRECTION = STRUCT.u8("io.direction", 32);
    static final Field IO_SIZE = STRUCT.u8("io.size", 33);
    static final Field IO_PORT = STRUCT.u16("io.port", 34);
    static final Field IO_COUNT = STRUCT.u32("io.count", 36);
    static final Field IO_DATA_OFFSET = STRUCT.u64("io.data_offset", 40);
    static final Field HW_EXIT_REASON = STRUCT.u64("hw.hardware_exit_reason", 32);
    static final Field FAIL_ENTRY_REASON = STRUCT.u64("fail_entry.hardware_entry_failure_reason", 32);
    static final Field INTERNAL_SUBERROR = STRUCT.u32("internal.suberror", 32);

    private KvmRun() {
    }

    static VcpuExit decode(Pointer run) {
        int reason = (int) EXIT_REASON.get(run);
        if (reason == ExitReason.IO.number) {
            return new VcpuExit(reason, new VcpuExit.Io((int) IO_DIRECTION.get(run), (int) IO_SIZE.get(run),
                    (int) IO_PORT.get(run), (int) IO_COUNT.get(run), IO_DATA_OFFSET.get(run)), 0);
        }
        long detail;
        if (reason == ExitReason.UNKNOWN.number) {
            detail = HW_EXIT_REASON.get(run);
        } else if (reason == ExitReason.FAIL_ENTRY.number) {
            detail = FAIL_ENTRY_REASON.get(run);
        } else if (reason == ExitReason.INTERNAL_ERROR.number) {
            detail = INTERNAL_SUBERROR.get(run);
        } else {
            detail = 0;
        }
        return new VcpuExit(reason, null, detail);
    }
}
