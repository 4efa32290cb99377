package io.gapwatch.kvm;

/** The errno values the migration-gap sequence can meet (x86-64 Linux numbering). */
public enum Errno {
    EPERM(1), ENOENT(2), EINTR(4), EIO(5), ENXIO(6), E2BIG(7), EACCES(13), EFAULT(14), EBUSY(16),
    EEXIST(17), ENODEV(19), EINVAL(22), ENOTTY(25), ERANGE(34), ENOSYS(38), EOPNOTSUPP(95);

    public final int number;

    Errno(int number) {
        this.number = number;
    }

    /** The symbolic name of an errno value, or "errno N" for one this table does not know. */
    public static String nameOf(int number) {
        for (Errno e : values()) {
            if (e.number == number) {
                return e.name();
            }
        }
        return "errno " + number;
    }
}
