package io.gapwatch.kvm;

import java.nio.file.Path;

/** The system file descriptor, /dev/kvm: module-wide questions and VM creation. */
public final class Kvm implements AutoCloseable {
    public static final Path DEVICE = Path.of("/dev/kvm");
    /** The only KVM_GET_API_VERSION answer since Linux 2.6.22; anything else is not the KVM this code knows. */
    public static final int API_VERSION = 12;

    private final OwnedFd fd;

    private Kvm(OwnedFd fd) {
        this.fd = fd;
    }

    public static Kvm open() throws KvmException {
        return open(DEVICE);
    }

    /** open(2) only: nothing is asked of the device yet, so a failure here is about the path and its permissions. */
    public static Kvm open(Path device) throws KvmException {
        return new Kvm(OwnedFd.open(device.toString()));
    }

    public int apiVersion() throws KvmException {
        return Ioctl.KVM_GET_API_VERSION.call(fd, 0);
    }

    /** KVM_CHECK_EXTENSION: 0 when absent; some capabilities answer a value or a bit mask. */
    public int checkExtension(int capability) throws KvmException {
        return Ioctl.KVM_CHECK_EXTENSION.call(fd, capability);
    }

    /** KVM_GET_VCPU_MMAP_SIZE: how much of a vCPU fd to map for kvm_run (3 pages on x86, but ask). */
    public int vcpuMmapSize() throws KvmException {
        return Ioctl.KVM_GET_VCPU_MMAP_SIZE.call(fd, 0);
    }

    /** KVM_CREATE_VM with the default machine type (0). */
    public KvmVm createVm() throws KvmException {
        int mmapSize = vcpuMmapSize();
        return new KvmVm(new OwnedFd(Ioctl.KVM_CREATE_VM.call(fd, 0)), mmapSize);
    }

    @Override
    public void close() {
        fd.close();
    }
}
