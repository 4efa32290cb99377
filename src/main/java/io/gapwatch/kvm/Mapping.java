package io.gapwatch.kvm;

import com.sun.jna.LastErrorException;
import com.sun.jna.Pointer;

/** One mmap(2) region this process owns; munmap on close, once. */
final class Mapping implements AutoCloseable {
    static final long PAGE_SIZE = 4096;

    private final long address;
    private final long size;
    private boolean closed;

    private Mapping(long address, long size) {
        this.address = address;
        this.size = size;
    }

    /**
     * Private anonymous memory: page aligned and zero filled, as KVM requires of a memslot.
     * MAP_NORESERVE because a guest touches a few pages of what it is given.
     */
    static Mapping anonymous(long size) throws KvmException {
        if (size <= 0 || size % PAGE_SIZE != 0) {
            throw new IllegalArgumentException("guest memory must be a positive multiple of " + PAGE_SIZE + " bytes, was " + size);
        }
        return map(size, LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_NORESERVE, -1);
    }

    /** A shared view of a file descriptor: how the kernel exposes struct kvm_run of a vCPU. */
    static Mapping shared(OwnedFd fd, long size) throws KvmException {
        return map(size, LibC.MAP_SHARED, fd.value());
    }

    private static Mapping map(long size, int flags, int fd) throws KvmException {
        try {
            long address = LibC.mmap(0, size, LibC.PROT_READ | LibC.PROT_WRITE, flags, fd, 0);
            return new Mapping(address, size);
        } catch (LastErrorException e) {
            throw new KvmException("mmap", e.getErrorCode());
        }
    }

    long address() {
        requireMapped();
        return address;
    }

    long size() {
        return size;
    }

    /** A view for reading and writing; invalid once the mapping is closed, so callers must not keep it. */
    Pointer pointer() {
        requireMapped();
        return new Pointer(address);
    }

    private void requireMapped() {
        if (closed) {
            throw new IllegalStateException("mapping at 0x" + Long.toHexString(address) + " is unmapped");
        }
    }

    /** munmap(2) only fails for an invalid range, which this class never passes. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                LibC.munmap(address, size);
            } catch (LastErrorException ignored) {
                // nothing left to release
            }
        }
    }
}
