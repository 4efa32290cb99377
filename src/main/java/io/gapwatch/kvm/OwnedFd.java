package io.gapwatch.kvm;

import com.sun.jna.LastErrorException;

/** A file descriptor this process opened and must close exactly once. */
final class OwnedFd implements AutoCloseable {
    private final int fd;
    private boolean closed;

    OwnedFd(int fd) {
        this.fd = fd;
    }

    /** open(2) with O_CLOEXEC, so a child process (QEMU, gcc) never inherits a KVM handle. */
    static OwnedFd open(String path) throws KvmException {
        try {
            return new OwnedFd(LibC.open(path, LibC.O_RDWR | LibC.O_CLOEXEC));
        } catch (LastErrorException e) {
            throw new KvmException("open(" + path + ")", e.getErrorCode());
        }
    }

    int value() {
        if (closed) {
            throw new IllegalStateException("fd " + fd + " is closed");
        }
        return fd;
    }

    /** close(2) errors are not actionable: Linux releases the descriptor even when it reports one. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                LibC.close(fd);
            } catch (LastErrorException ignored) {
                // the descriptor is gone either way
            }
        }
    }
}
