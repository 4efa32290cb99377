package io.gapwatch.kvm;

import com.sun.jna.Memory;

import java.util.ArrayList;
import java.util.List;

/**
 * A VM file descriptor. It owns what it creates: closing it closes its vCPUs, then the VM fd, then
 * unmaps its guest memory, in that order, so the kernel never holds a memslot over released memory.
 */
public final class KvmVm implements AutoCloseable {
    private final OwnedFd fd;
    private final int vcpuMmapSize;
    private final List<KvmVcpu> vcpus = new ArrayList<>();
    private final List<GuestMemory> memory = new ArrayList<>();

    KvmVm(OwnedFd fd, int vcpuMmapSize) {
        this.fd = fd;
        this.vcpuMmapSize = vcpuMmapSize;
    }

    /** KVM_CHECK_EXTENSION on the VM: what this VM (not just the module) supports. */
    public int checkExtension(int capability) throws KvmException {
        return Ioctl.KVM_CHECK_EXTENSION.call(fd, capability);
    }

    /**
     * KVM_SET_USER_MEMORY_REGION with fresh anonymous memory of {@code size} bytes (a page multiple)
     * at guest-physical {@code gpa}. The memory is the VM's, released when the VM closes.
     */
    public GuestMemory setUserMemoryRegion(int slot, long gpa, long size) throws KvmException {
        GuestMemory slotMemory = new GuestMemory(Mapping.anonymous(size));
        try {
            Ioctl.KVM_SET_USER_MEMORY_REGION.call(fd, KvmUserspaceMemoryRegion.encode(slot, gpa, size, slotMemory.address()));
        } catch (KvmException | RuntimeException e) {
            slotMemory.unmap();
            throw e;
        }
        memory.add(slotMemory);
        return slotMemory;
    }

    /** KVM_CREATE_VCPU and the mmap of its kvm_run; the vCPU is closed with the VM at the latest. */
    public KvmVcpu createVcpu(int id) throws KvmException {
        KvmVcpu vcpu = KvmVcpu.create(new OwnedFd(Ioctl.KVM_CREATE_VCPU.call(fd, id)), vcpuMmapSize);
        vcpus.add(vcpu);
        return vcpu;
    }

    /** KVM_XEN_HVM_CONFIG; a non-zero {@code msr} is what enables automatic runstate accounting. */
    public void xenHvmConfig(int flags, int msr) throws KvmException {
        Ioctl.KVM_XEN_HVM_CONFIG.call(fd, KvmXenHvmConfig.encode(flags, msr));
    }

    /** KVM_XEN_HVM_SET_ATTR(SHARED_INFO): the frame must already be in a memslot; the kernel writes it at once. */
    public void setXenSharedInfoGfn(long gfn) throws KvmException {
        Ioctl.KVM_XEN_HVM_SET_ATTR.call(fd, KvmXenHvmAttr.sharedInfo(gfn), "SHARED_INFO");
    }

    /** KVM_GET_CLOCK: realtime and host TSC are only filled (flags) once the master clock is in use. */
    public ClockData getClock() throws KvmException {
        Memory m = KvmClockData.STRUCT.allocate();
        Ioctl.KVM_GET_CLOCK.call(fd, m);
        return KvmClockData.decode(m);
    }

    /** KVM_SET_CLOCK: with {@link ClockData#REALTIME} the kernel adds CLOCK_REALTIME's advance since {@code realtime}. */
    public void setClock(ClockData clock) throws KvmException {
        Ioctl.KVM_SET_CLOCK.call(fd, KvmClockData.encode(clock));
    }

    @Override
    public void close() {
        vcpus.forEach(KvmVcpu::close);
        fd.close();
        memory.forEach(GuestMemory::unmap);
    }
}
