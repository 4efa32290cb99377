package io.gapwatch.probe;

import io.gapwatch.kvm.ClockData;
import io.gapwatch.kvm.KvmException;
import io.gapwatch.kvm.PvclockTimeInfo;
import io.gapwatch.kvm.RunstateData;

/** One VM with one vCPU and Xen runstate tracking; closing it destroys the VM. */
public interface XenVm extends AutoCloseable {

    /** KVM_RUN until the guest's OUT exit (the seed's GUEST_SYNC); the guest itself does nothing else. */
    void run() throws KvmException;

    /** KVM_GET_CLOCK on the VM. */
    ClockData getClock() throws KvmException;

    /** KVM_SET_CLOCK on the VM. */
    void setClock(ClockData clock) throws KvmException;

    /** KVM_GET_CLOCK_GUEST on the vCPU (proposed, not in mainline: EINVAL on shipping kernels). */
    PvclockTimeInfo getClockGuest() throws KvmException;

    /** KVM_SET_CLOCK_GUEST on the vCPU (proposed, not in mainline). */
    void setClockGuest(PvclockTimeInfo clock) throws KvmException;

    /** KVM_GET_TSC_KHZ on the vCPU. */
    long tscKhz() throws KvmException;

    /** KVM_GET_MSRS with one MSR. */
    long getMsr(int index) throws KvmException;

    /** KVM_SET_MSRS with one MSR. */
    void setMsr(int index, long value) throws KvmException;

    /** KVM_XEN_VCPU_GET_ATTR(RUNSTATE_DATA): the in-kernel runstate as of its last transition. */
    RunstateData getRunstate() throws KvmException;

    /** KVM_XEN_VCPU_SET_ATTR(RUNSTATE_DATA): restore a runstate verbatim. */
    void setRunstate(RunstateData runstate) throws KvmException;

    /** time[RUNSTATE_runnable] as the kernel last wrote it into the guest's runstate area (compat layout). */
    long guestAreaRunnableNs();

    /** Destroy the VM: vCPU fd, kvm_run mapping, VM fd. */
    @Override
    void close();
}
