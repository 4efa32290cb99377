package io.gapwatch.probe;

/**
 * What broke when a run ends ERROR. The server retries INFRASTRUCTURE (up to the run's maxAttempts, every
 * attempt kept in the run's events) and never re-runs HARNESS or BUILD, which would break the same way again.
 */
public enum ErrorKind {
    /**
     * The machinery around the kernel under test failed, not the procedure: a lab guest that timed out or
     * never booted, a QEMU that failed to start, an agent that no longer has the run's target. Another attempt
     * may well succeed.
     */
    INFRASTRUCTURE,
    /** The probe itself failed on this kernel (an ioctl answered an unexpected errno, a phase failed). */
    HARNESS,
    /**
     * The kernel to run on could not be built from its recipe (a patch that does not apply, a compiler error):
     * the same recipe fails the same way, so it is not retried; the error ends with the build log's last lines.
     */
    BUILD
}
