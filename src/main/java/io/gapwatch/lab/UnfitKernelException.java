package io.gapwatch.lab;

/**
 * A kernel that cannot run the probe for a reason of its own (no KVM, KVM refusing this CPU): the run is
 * SKIP with this message, not an ERROR of the lab.
 */
public class UnfitKernelException extends Exception {
    public UnfitKernelException(String message) {
        super(message);
    }
}
