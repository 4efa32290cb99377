package io.gapwatch.kvm;

import com.sun.jna.Memory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A C struct of the KVM (or Xen) ABI as this package lays it out by hand: its C name, its size and
 * the members this package reads or writes. The offsets are constants copied from the uAPI, so
 * HeaderConformanceTest compiles the real header and compares every one of them.
 */
final class Struct {
    private final String name;
    private final int size;
    private final List<Field> fields = new ArrayList<>();

    Struct(String name, int size) {
        this.name = name;
        this.size = size;
    }

    String name() {
        return name;
    }

    int size() {
        return size;
    }

    List<Field> fields() {
        return Collections.unmodifiableList(fields);
    }

    Field u8(String member, int offset) {
        return add(member, offset, 1, false);
    }

    Field s8(String member, int offset) {
        return add(member, offset, 1, true);
    }

    Field u16(String member, int offset) {
        return add(member, offset, 2, false);
    }

    Field u32(String member, int offset) {
        return add(member, offset, 4, false);
    }

    Field u64(String member, int offset) {
        return add(member, offset, 8, false);
    }

    /** A flexible array member (C99 {@code type name[]}): an offset, with no size of its own. */
    Field flexibleArray(String member, int offset) {
        return add(member, offset, 0, false);
    }

    /** A zeroed buffer: every member this package does not set must reach the kernel as 0 (pads, flags). */
    Memory allocate() {
        Memory memory = new Memory(size);
        memory.clear();
        return memory;
    }

    private Field add(String member, int offset, int width, boolean signed) {
        if (offset < 0 || offset + width > size) {
            throw new IllegalStateException(name + "." + member + " at " + offset + " (" + width + " bytes) is outside sizeof " + size);
        }
        Field field = new Field(this, member, offset, width, signed);
        fields.add(field);
        return field;
    }
}
