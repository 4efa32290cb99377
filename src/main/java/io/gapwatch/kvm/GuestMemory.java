package io.gapwatch.kvm;

import com.sun.jna.Pointer;

/**
 * Host memory that backs a range of guest-physical memory (one memslot). It belongs to its
 * {@link KvmVm} and is unmapped when the VM closes, never before: the kernel keeps writing into a
 * memslot's host range (runstate area, shared_info) for as long as the VM lives, and the JVM may map
 * something else at a released address.
 */
public final class GuestMemory {
    private final Mapping mapping;

    GuestMemory(Mapping mapping) {
        this.mapping = mapping;
    }

    public long size() {
        return mapping.size();
    }

    public void write(long offset, byte[] bytes) {
        pointer(offset, bytes.length).write(0, bytes, 0, bytes.length);
    }

    public byte[] read(long offset, int length) {
        return pointer(offset, length).getByteArray(0, length);
    }

    long address() {
        return mapping.address();
    }

    /** A view of {@code length} bytes at {@code offset}, refused if it would reach outside the slot. */
    Pointer pointer(long offset, long length) {
        if (offset < 0 || length < 0 || offset + length > mapping.size()) {
            throw new IndexOutOfBoundsException(length + " bytes at " + offset + " are outside guest memory of " + mapping.size() + " bytes");
        }
        return mapping.pointer().share(offset, length);
    }

    void unmap() {
        mapping.close();
    }
}
