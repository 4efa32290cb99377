package io.gapwatch.kvm;

import com.sun.jna.Pointer;

/**
 * One scalar member of a {@link Struct}: where it is and how wide. Values travel as {@code long};
 * unsigned members are zero-extended on read, signed ones sign-extended, and writes keep the low bytes.
 * A flexible array member has width 0 and only an offset.
 *
 * @param member the C member designator, as offsetof() takes it (e.g. {@code io.port}, {@code entries[0].data})
 */
record Field(Struct struct, String member, int offset, int width, boolean signed) {

    long get(Pointer p) {
        return switch (width) {
            case 1 -> signed ? p.getByte(offset) : Byte.toUnsignedLong(p.getByte(offset));
            case 2 -> signed ? p.getShort(offset) : Short.toUnsignedLong(p.getShort(offset));
            case 4 -> signed ? p.getInt(offset) : Integer.toUnsignedLong(p.getInt(offset));
            case 8 -> p.getLong(offset);
            default -> throw new UnsupportedOperationException(this + " is not a scalar");
        };
    }

    void set(Pointer p, long value) {
        switch (width) {
            case 1 -> p.setByte(offset, (byte) value);
            case 2 -> p.setShort(offset, (short) value);
            case 4 -> p.setInt(offset, (int) value);
            case 8 -> p.setLong(offset, value);
            default -> throw new UnsupportedOperationException(this + " is not a scalar");
        }
    }

    @Override
    public String toString() {
        return struct.name() + "." + member + "@" + offset;
    }
}
