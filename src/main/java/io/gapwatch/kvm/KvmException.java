package io.gapwatch.kvm;

/**
 * A KVM call the kernel refused: which ioctl, and the errno it answered.
 * The simulated kernel throws the same type, so the probe treats both backends alike.
 * A call that succeeded but did not do what was asked (an MSR not processed, an unexpected exit)
 * has errno 0 and says what happened instead.
 */
public class KvmException extends Exception {
    private final String ioctl;
    private final int errno;

    public KvmException(String ioctl, int errno) {
        super(ioctl + " failed: " + Errno.nameOf(errno) + " (" + errno + ")");
        this.ioctl = ioctl;
        this.errno = errno;
    }

    public KvmException(String ioctl, Errno errno) {
        this(ioctl, errno.number);
    }

    /** The call returned without an errno, but not with the answer the sequence requires. */
    public KvmException(String ioctl, String whatHappened) {
        super(ioctl + " " + whatHappened);
        this.ioctl = ioctl;
        this.errno = 0;
    }

    public String ioctl() {
        return ioctl;
    }

    public int errno() {
        return errno;
    }

    public String errnoName() {
        return Errno.nameOf(errno);
    }
}
