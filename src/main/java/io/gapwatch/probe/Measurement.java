package io.gapwatch.probe;

/**
 * The numbers of one iteration (ns).
 *
 * @param savedRunnableNs     time_runnable saved on the source
 * @param restoredRunnableNs  time_runnable read on the destination after its KVM_RUN
 * @param stealDeltaNs        restored - saved: the steal the kernel accounted for the gap
 * @param guestAreaRunnableNs time_runnable as written into the guest's runstate area on the destination
 * @param gapLowNs            t(destination KVM_RUN call) - t(source KVM_RUN return)
 * @param gapHighNs           t(destination KVM_RUN return) - t(source KVM_RUN call)
 * @param hostRunDelayNs      growth of the probe thread's run_delay over the iteration
 * @param errorNs             stealDelta - midpoint(gapLow, gapHigh)
 * @param withinBracket       gapLow <= stealDelta <= gapHigh + hostRunDelay + tolerance
 * @param pass                the seed's bound: gapMs * 1e6 <= stealDelta < gapMs * 1e6 + 5e9
 * @param createNs            creating both VMs
 * @param saveNs              saving clock, TSC_ADJUST and runstate on the source
 * @param restoreNs           restoring them on the destination
 * @param runNs               the destination's KVM_RUN
 */
public record Measurement(
        int iteration,
        long savedRunnableNs,
        long restoredRunnableNs,
        long stealDeltaNs,
        long guestAreaRunnableNs,
        long gapLowNs,
        long gapHighNs,
        long hostRunDelayNs,
        long errorNs,
        boolean withinBracket,
        boolean pass,
        long createNs,
        long saveNs,
        long restoreNs,
        long runNs) {
}
