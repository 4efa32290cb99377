package io.gapwatch.kvm;

import com.sun.jna.Memory;

/**
 * A vCPU file descriptor and its mapped struct kvm_run. Not thread-safe, and more: the kernel samples
 * the calling thread's scheduler counters for Xen steal accounting, so every call of one vCPU
 * (runstate restore and KVM_RUN above all) belongs on one OS thread.
 */
public final class KvmVcpu implements AutoCloseable {
    private final OwnedFd fd;
    private final Mapping run;

    private KvmVcpu(OwnedFd fd, Mapping run) {
        this.fd = fd;
        this.run = run;
    }

    /** Takes ownership of {@code fd}: it is closed here if the kvm_run mapping fails. */
    static KvmVcpu create(OwnedFd fd, int runSize) throws KvmException {
        try {
            return new KvmVcpu(fd, Mapping.shared(fd, runSize));
        } catch (KvmException | RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /** KVM_RUN: enter the guest until it needs userspace; why it stopped is read from kvm_run. */
    public VcpuExit run() throws KvmException {
        Ioctl.KVM_RUN.call(fd, 0);
        return KvmRun.decode(run.pointer());
    }

    public Regs getRegs() throws KvmException {
        Memory m = Regs.STRUCT.allocate();
        Ioctl.KVM_GET_REGS.call(fd, m);
        return new Regs(m);
    }

    public void setRegs(Regs regs) throws KvmException {
        Ioctl.KVM_SET_REGS.call(fd, regs.memory);
    }

    public Sregs getSregs() throws KvmException {
        Memory m = Sregs.STRUCT.allocate();
        Ioctl.KVM_GET_SREGS.call(fd, m);
        return new Sregs(m);
    }

    public void setSregs(Sregs sregs) throws KvmException {
        Ioctl.KVM_SET_SREGS.call(fd, sregs.memory);
    }

    /** KVM_GET_MSRS of one MSR. The kernel answers a refused MSR with a count of 0, not an errno. */
    public long getMsr(int index) throws KvmException {
        Memory m = KvmMsrs.encode(index, 0);
        requireOneMsr(Ioctl.KVM_GET_MSRS.call(fd, m), "KVM_GET_MSRS", index);
        return KvmMsrs.data(m);
    }

    /** KVM_SET_MSRS of one MSR, as a host-initiated write (no #GP checks a guest write would get). */
    public void setMsr(int index, long value) throws KvmException {
        requireOneMsr(Ioctl.KVM_SET_MSRS.call(fd, KvmMsrs.encode(index, value)), "KVM_SET_MSRS", index);
    }

    /** KVM_XEN_VCPU_SET_ATTR(RUNSTATE_ADDR): the kernel writes the runstate there on every transition. */
    public void setXenRunstateAddr(long gpa) throws KvmException {
        Ioctl.KVM_XEN_VCPU_SET_ATTR.call(fd, KvmXenVcpuAttr.gpa(Xen.VCPU_ATTR_TYPE_RUNSTATE_ADDR, gpa), "RUNSTATE_ADDR");
    }

    /** KVM_XEN_VCPU_GET_ATTR(RUNSTATE_DATA): as of the last transition, not including time since. */
    public RunstateData getXenRunstate() throws KvmException {
        Memory m = KvmXenVcpuAttr.query(Xen.VCPU_ATTR_TYPE_RUNSTATE_DATA);
        Ioctl.KVM_XEN_VCPU_GET_ATTR.call(fd, m, "RUNSTATE_DATA");
        return KvmXenVcpuAttr.runstate(m);
    }

    /**
     * KVM_XEN_VCPU_SET_ATTR(RUNSTATE_DATA): restored verbatim; the calling thread's run_delay becomes the
     * steal baseline, which is why KVM_RUN must follow on this same thread.
     */
    public void setXenRunstate(RunstateData runstate) throws KvmException {
        Ioctl.KVM_XEN_VCPU_SET_ATTR.call(fd, KvmXenVcpuAttr.runstate(runstate), "RUNSTATE_DATA");
    }

    /** KVM_GET_TSC_KHZ: the guest TSC frequency, as the ioctl's return value. */
    public long getTscKhz() throws KvmException {
        return Ioctl.KVM_GET_TSC_KHZ.call(fd, 0);
    }

    /** KVM_GET_CLOCK_GUEST (proposed, not in mainline): unpatched kernels answer EINVAL. */
    public PvclockTimeInfo getClockGuest() throws KvmException {
        Memory m = PvclockVcpuTimeInfo.STRUCT.allocate();
        Ioctl.KVM_GET_CLOCK_GUEST.call(fd, m);
        return PvclockVcpuTimeInfo.decode(m);
    }

    /** KVM_SET_CLOCK_GUEST (proposed, not in mainline): sets the whole VM's kvmclock from this vCPU's TSC. */
    public void setClockGuest(PvclockTimeInfo pvti) throws KvmException {
        Ioctl.KVM_SET_CLOCK_GUEST.call(fd, PvclockVcpuTimeInfo.encode(pvti));
    }

    /** Both must go: the kvm_run mapping alone keeps the vCPU, and through it the VM, alive. */
    @Override
    public void close() {
        run.close();
        fd.close();
    }

    private static void requireOneMsr(int processed, String ioctl, int index) throws KvmException {
        if (processed != 1) {
            throw new KvmException(String.format("%s(MSR 0x%x)", ioctl, index), "processed " + processed + " of 1 MSRs: the kernel refused it");
        }
    }
}
