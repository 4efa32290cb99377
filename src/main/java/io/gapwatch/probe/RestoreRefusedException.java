package io.gapwatch.probe;

import io.gapwatch.kvm.KvmException;

/**
 * The kernel refused the saved runstate on the destination. The probe hands RUNSTATE_DATA back as the kernel gave
 * it (state runnable, the sum rule intact), so KVM's EINVAL has one cause left: the restored kvmclock reads earlier
 * than the runstate's {@code state_entry_time}, i.e. the clock restore lost time. That is the kernel's answer to the
 * variant (the seed's assert fails there too), not the harness breaking: the run FAILs with this reason. On a
 * preemptible kernel the naive clock-frozen gets it whenever the probe thread was preempted in a vCPU ioctl after
 * the clock save, which books a transition to runnable later than the saved clock.
 */
final class RestoreRefusedException extends Exception {
    RestoreRefusedException(String where, KvmException e) {
        super("the kernel refused the saved runstate" + where + " (" + e.getMessage() + "): its kvmclock, as restored, "
                + "is earlier than the runstate's state_entry_time, so the clock restore lost the time since the save", e);
    }
}
