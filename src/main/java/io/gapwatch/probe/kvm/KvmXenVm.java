package io.gapwatch.probe.kvm;

import io.gapwatch.kvm.ClockData;
import io.gapwatch.kvm.CompatRunstateArea;
import io.gapwatch.kvm.Errno;
import io.gapwatch.kvm.GuestMemory;
import io.gapwatch.kvm.Kvm;
import io.gapwatch.kvm.KvmException;
import io.gapwatch.kvm.KvmVcpu;
import io.gapwatch.kvm.KvmVm;
import io.gapwatch.kvm.PvclockTimeInfo;
import io.gapwatch.kvm.Regs;
import io.gapwatch.kvm.RunstateData;
import io.gapwatch.kvm.Sregs;
import io.gapwatch.kvm.UnexpectedExitException;
import io.gapwatch.kvm.VcpuExit;
import io.gapwatch.kvm.Xen;
import io.gapwatch.probe.XenVm;

/** The seed's create_xen_vm() on a real kernel: one VM, one vCPU, a real-mode guest and the two Xen pages. */
final class KvmXenVm implements XenVm {
    /** Low RAM for the guest code (slot 0); 64 KiB is what real mode addresses with CS = 0. */
    static final long RAM_SIZE = 0x10000;
    static final long CODE_GPA = 0x1000;
    /** The guest's GUEST_SYNC: a port write is the cheapest exit to userspace. */
    static final int SYNC_PORT = 0x10;
    /** {@code out 0x10, al; hlt}: the guest exits once and would halt if run again. */
    static final byte[] GUEST_CODE = {(byte) 0xe6, SYNC_PORT, (byte) 0xf4};
    /** RFLAGS bit 1 is reserved and must be set. */
    static final long RFLAGS_RESERVED = 0x2;
    static final int XEN_SLOT = 1;
    static final long XEN_PAGES_SIZE = 0x2000;

    private final KvmVm vm;
    private final KvmVcpu vcpu;
    private final GuestMemory xenPages;

    private KvmXenVm(KvmVm vm, KvmVcpu vcpu, GuestMemory xenPages) {
        this.vm = vm;
        this.vcpu = vcpu;
        this.xenPages = xenPages;
    }

    /** The order is the seed's and the kernel's: memslots before the Xen attributes that point into them. */
    static KvmXenVm create(Kvm kvm) throws KvmException {
        KvmVm vm = kvm.createVm();
        try {
            GuestMemory ram = vm.setUserMemoryRegion(0, 0, RAM_SIZE);
            ram.write(CODE_GPA, GUEST_CODE);
            KvmVcpu vcpu = vm.createVcpu(0);
            startAt(vcpu, CODE_GPA);

            GuestMemory xenPages = vm.setUserMemoryRegion(XEN_SLOT, Xen.SHARED_INFO_GPA, XEN_PAGES_SIZE);
            vm.xenHvmConfig(Xen.CONFIG_INTERCEPT_HCALL, Xen.HYPERCALL_MSR);
            vm.setXenSharedInfoGfn(Xen.SHARED_INFO_GPA >>> 12);
            vcpu.setXenRunstateAddr(Xen.RUNSTATE_GPA);
            return new KvmXenVm(vm, vcpu, xenPages);
        } catch (KvmException | RuntimeException e) {
            vm.close();
            throw e;
        }
    }

    /** A reset vCPU is in real mode at CS:IP F000:FFF0; point CS:IP at 0:code instead, keeping the rest. */
    private static void startAt(KvmVcpu vcpu, long gpa) throws KvmException {
        Sregs sregs = vcpu.getSregs();
        sregs.setCsBase(0);
        sregs.setCsSelector(0);
        vcpu.setSregs(sregs);
        Regs regs = vcpu.getRegs();
        regs.setRip(gpa);
        regs.setRflags(RFLAGS_RESERVED);
        vcpu.setRegs(regs);
    }

    /**
     * KVM_RUN until the guest's OUT. A signal to this thread aborts KVM_RUN with EINTR before or after
     * guest entry; like the selftests' vcpu_run, enter again: the guest resumes where it was.
     */
    @Override
    public void run() throws KvmException {
        VcpuExit exit;
        while (true) {
            try {
                exit = vcpu.run();
                break;
            } catch (KvmException e) {
                if (e.errno() != Errno.EINTR.number) {
                    throw e;
                }
            }
        }
        if (!exit.isOut(SYNC_PORT)) {
            throw new UnexpectedExitException(exit, String.format("KVM_EXIT_IO OUT port 0x%x", SYNC_PORT));
        }
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
        return vcpu.getClockGuest();
    }

    @Override
    public void setClockGuest(PvclockTimeInfo clock) throws KvmException {
        vcpu.setClockGuest(clock);
    }

    @Override
    public long tscKhz() throws KvmException {
        return vcpu.getTscKhz();
    }

    @Override
    public long getMsr(int index) throws KvmException {
        return vcpu.getMsr(index);
    }

    @Override
    public void setMsr(int index, long value) throws KvmException {
        vcpu.setMsr(index, value);
    }

    @Override
    public RunstateData getRunstate() throws KvmException {
        return vcpu.getXenRunstate();
    }

    @Override
    public void setRunstate(RunstateData runstate) throws KvmException {
        vcpu.setXenRunstate(runstate);
    }

    /** The runstate area is the second Xen page: compat layout, since the VM never enters long mode. */
    @Override
    public long guestAreaRunnableNs() {
        return CompatRunstateArea.timeRunnable(xenPages, Xen.RUNSTATE_GPA - Xen.SHARED_INFO_GPA);
    }

    @Override
    public void close() {
        vm.close();
    }
}
