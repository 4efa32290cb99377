package io.gapwatch.kvm;

/**
 * Why KVM_RUN returned, decoded from the vCPU's struct kvm_run.
 *
 * @param reason the KVM_EXIT_* number
 * @param io     the port access, for {@link ExitReason#IO}; null otherwise
 * @param detail what the kernel adds for the exits that mean trouble: the hardware exit reason for
 *               KVM_EXIT_UNKNOWN and KVM_EXIT_FAIL_ENTRY, the suberror for KVM_EXIT_INTERNAL_ERROR; 0 otherwise
 */
public record VcpuExit(int reason, Io io, long detail) {

    /**
     * A port access the guest made.
     *
     * @param direction  {@link #IN} or {@link #OUT}
     * @param size       bytes per access
     * @param dataOffset where the data bytes are, from the start of the kvm_run mapping
     */
    public record Io(int direction, int size, int port, int count, long dataOffset) {
        public static final int IN = 0;
        public static final int OUT = 1;
    }

    public boolean isOut(int port) {
        return reason == ExitReason.IO.number && io.direction() == Io.OUT && io.port() == port;
    }

    @Override
    public String toString() {
        String name = ExitReason.nameOf(reason) + " (" + reason + ")";
        if (io != null) {
            return String.format("%s %s port 0x%x size %d count %d", name, io.direction() == Io.OUT ? "OUT" : "IN",
                    io.port(), io.size(), io.count());
        }
        return detail == 0 ? name : String.format("%s detail 0x%x", name, detail);
    }
}
