package io.gapwatch.kvm;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * The five libc calls KVM needs, bound by JNA direct mapping: no proxy and no reflection per call,
 * which matters inside a TCG guest where every Java frame is 15-20 times slower.
 * Declaring {@link LastErrorException} makes JNA capture errno on the calling thread before anything
 * else can overwrite it.
 */
final class LibC {
    static final int O_RDWR = 0x2;
    static final int O_CLOEXEC = 0x80000;

    static final int PROT_READ = 0x1;
    static final int PROT_WRITE = 0x2;
    static final int MAP_SHARED = 0x01;
    static final int MAP_PRIVATE = 0x02;
    static final int MAP_ANONYMOUS = 0x20;
    static final int MAP_NORESERVE = 0x4000;

    static {
        Native.register(Platform.C_LIBRARY_NAME);
    }

    private LibC() {
    }

    static native int open(String path, int flags) throws LastErrorException;

    static native int close(int fd) throws LastErrorException;

    /**
     * ioctl is variadic in C, which direct mapping cannot express; glibc's x86-64 wrapper reads its third
     * argument as one machine word, so a fixed {@code long} (a value, or a struct's address) is exact.
     */
    static native int ioctl(int fd, long request, long arg) throws LastErrorException;

    static native long mmap(long addr, long length, int prot, int flags, int fd, long offset) throws LastErrorException;

    static native int munmap(long addr, long length) throws LastErrorException;
}
