package io.gapwatch.kvm;

/**
 * The Xen runstate of a vCPU as KVM_XEN_VCPU_[GS]ET_ATTR(RUNSTATE_DATA) carries it:
 * the current state, the kvmclock ns at which it was entered, and the time spent in each state.
 * The kernel's invariant: the four times sum to {@code stateEntryTime}.
 */
public record RunstateData(int state, long stateEntryTime, long timeRunning, long timeRunnable,
                           long timeBlocked, long timeOffline) {
    public static final int RUNNING = 0;
    public static final int RUNNABLE = 1;
    public static final int BLOCKED = 2;
    public static final int OFFLINE = 3;

    /** The same accounting, with the vCPU marked runnable: it is not running while it migrates. */
    public RunstateData asRunnable() {
        return new RunstateData(RUNNABLE, stateEntryTime, timeRunning, timeRunnable, timeBlocked, timeOffline);
    }

    public long timeSum() {
        return timeRunning + timeRunnable + timeBlocked + timeOffline;
    }
}
