package io.gapwatch.kvm;

/** KVM_RUN succeeded, but the guest stopped for another reason than the one the sequence waits for. */
public final class UnexpectedExitException extends KvmException {
    private final transient VcpuExit exit;

    public UnexpectedExitException(VcpuExit exit, String expected) {
        super("KVM_RUN", "exited with " + exit + ", expected " + expected);
        this.exit = exit;
    }

    public VcpuExit exit() {
        return exit;
    }
}
