package io.gapwatch.kvm;

import com.sun.jna.LastErrorException;
import com.sun.jna.Pointer;

import java.lang.ref.Reference;

/**
 * Every KVM ioctl request this package issues, named as in linux/kvm.h. The numbers are written out
 * (not computed with _IOC) so that HeaderConformanceTest checks them against the compiled header
 * independently; the two proposed CLOCK_GUEST requests follow the 2026 postings (spec section 2).
 */
enum Ioctl {
    KVM_GET_API_VERSION(0x0000ae00L),
    KVM_CREATE_VM(0x0000ae01L),
    KVM_CHECK_EXTENSION(0x0000ae03L),
    KVM_GET_VCPU_MMAP_SIZE(0x0000ae04L),
    KVM_CREATE_VCPU(0x0000ae41L),
    KVM_SET_USER_MEMORY_REGION(0x4020ae46L),
    KVM_XEN_HVM_CONFIG(0x4038ae7aL),
    KVM_SET_CLOCK(0x4030ae7bL),
    KVM_GET_CLOCK(0x8030ae7cL),
    KVM_RUN(0x0000ae80L),
    KVM_GET_REGS(0x8090ae81L),
    KVM_SET_REGS(0x4090ae82L),
    KVM_GET_SREGS(0x8138ae83L),
    KVM_SET_SREGS(0x4138ae84L),
    KVM_GET_MSRS(0xc008ae88L),
    KVM_SET_MSRS(0x4008ae89L),
    KVM_GET_TSC_KHZ(0x0000aea3L),
    KVM_XEN_HVM_SET_ATTR(0x4048aec9L),
    KVM_XEN_VCPU_GET_ATTR(0xc048aecaL),
    KVM_XEN_VCPU_SET_ATTR(0x4048aecbL),
    KVM_SET_CLOCK_GUEST(0x4020aed6L),
    KVM_GET_CLOCK_GUEST(0x8020aed7L);

    final long request;

    Ioctl(long request) {
        this.request = request;
    }

    /** An ioctl whose argument is passed by value (a capability, an id, a type) or is absent (0). */
    int call(OwnedFd fd, long arg) throws KvmException {
        return invoke(fd, arg, name());
    }

    /** An ioctl whose argument is a struct; the kernel reads and/or writes it in place. */
    int call(OwnedFd fd, Pointer struct) throws KvmException {
        return invoke(fd, struct, name());
    }

    /** As {@link #call(OwnedFd, Pointer)}, naming the attribute too, so "EINVAL" says which one was refused. */
    int call(OwnedFd fd, Pointer struct, String attribute) throws KvmException {
        return invoke(fd, struct, name() + "(" + attribute + ")");
    }

    /**
     * Only the address reaches native code, so nothing else keeps a temporary struct reachable: without
     * the fence, GC could free a JNA Memory while the kernel is still reading or writing it.
     */
    private int invoke(OwnedFd fd, Pointer struct, String what) throws KvmException {
        try {
            return invoke(fd, Pointer.nativeValue(struct), what);
        } finally {
            Reference.reachabilityFence(struct);
        }
    }

    private int invoke(OwnedFd fd, long arg, String what) throws KvmException {
        try {
            return LibC.ioctl(fd.value(), request, arg);
        } catch (LastErrorException e) {
            throw new KvmException(what, e.getErrorCode());
        }
    }
}
