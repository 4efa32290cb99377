package io.gapwatch.probe;

import io.gapwatch.kvm.ClockData;
import io.gapwatch.kvm.KvmException;
import io.gapwatch.kvm.PvclockTimeInfo;
import io.gapwatch.kvm.RunstateData;

/** A hypervisor that forwards to another and lets a test step in before some calls. */
class DelegatingHypervisor implements Hypervisor {
    private final Hypervisor delegate;
    private int vms;

    DelegatingHypervisor(Hypervisor delegate) {
        this.delegate = delegate;
    }

    protected void beforeRun(int vm) {
    }

    protected void beforeSetRunstate(RunstateData runstate) throws KvmException {
    }

    /** What KVM_XEN_VCPU_GET_ATTR(RUNSTATE_DATA) on VM {@code number} answers; {@code vm} is the VM asked. */
    protected RunstateData getRunstate(int number, XenVm vm) throws KvmException {
        return vm.getRunstate();
    }

    @Override
    public TargetInfo target() {
        return delegate.target();
    }

    @Override
    public int xenCapabilities() throws KvmException {
        return delegate.xenCapabilities();
    }

    @Override
    public int adjustClockFlags() throws KvmException {
        return delegate.adjustClockFlags();
    }

    @Override
    public XenVm createXenVm() throws KvmException {
        XenVm vm = delegate.createXenVm();
        int number = ++vms;
        return new XenVm() {
            @Override
            public void run() throws KvmException {
                beforeRun(number);
                vm.run();
            }

            @Override
            public ClockData getClock() throws KvmException {
                return vm.getClock();
            }

            @Override
            public void setClock(ClockData clock) throws KvmException {
                vm.setClock(clock);
            }

            @Override
            public PvclockTimeInfo getClockGuest() throws KvmException {
                return vm.getClockGuest();
            }

            @Override
            public void setClockGuest(PvclockTimeInfo clock) throws KvmException {
                vm.setClockGuest(clock);
            }

            @Override
            public long tscKhz() throws KvmException {
                return vm.tscKhz();
            }

            @Override
            public long getMsr(int index) throws KvmException {
                return vm.getMsr(index);
            }

            @Override
            public void setMsr(int index, long value) throws KvmException {
                vm.setMsr(index, value);
            }

            @Override
            public RunstateData getRunstate() throws KvmException {
                return DelegatingHypervisor.this.getRunstate(number, vm);
            }

            @Override
            public void setRunstate(RunstateData runstate) throws KvmException {
                beforeSetRunstate(runstate);
                vm.setRunstate(runstate);
            }

            @Override
            public long guestAreaRunnableNs() {
                return vm.guestAreaRunnableNs();
            }

            @Override
            public void close() {
                vm.close();
            }
        };
    }

    @Override
    public void close() {
        delegate.close();
    }
}
