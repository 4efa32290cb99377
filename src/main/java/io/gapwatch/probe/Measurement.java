package io.gapwatch.probe;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The numbers of one iteration (ns).
 *
 * @param savedRunnableNs     time_runnable saved on the source
 * @param restoredRunnableNs  time_runnable read on the destination after its KVM_RUN
 * @param stealDeltaNs        restored - saved: the steal the kernel accounted for the gap
 * @param guestAreaRunnableNs time_runnable as written into the guest's runstate area on the destination
 * @param gapLowNs            t(destination KVM_RUN call) - t(source KVM_RUN return)
 * @param gapHighNs           t(destination KVM_RUN return) - t(source KVM_RUN call)
 * @param hostRunDelayNs      growth of the probe thread's run_delay over the iteration; null where the host
 *                            would not tell (then the bracket allows no host preemption)
 * @param errorNs             stealDelta - midpoint(gapLow, gapHigh)
 * @param withinBracket       gapLow <= stealDelta <= gapHigh + hostRunDelay + tolerance
 * @param pass                the seed's bound: gapMs * 1e6 <= stealDelta < gapMs * 1e6 + 5e9
 * @param createNs            creating both VMs
 * @param saveNs              saving clock, TSC_ADJUST and runstate on the source
 * @param restoreNs           restoring them on the destination
 * @param runNs               the destination's KVM_RUN
 */
@JsonIgnoreProperties(value = "guestAreaAgrees", allowGetters = true)
public record Measurement(
        int iteration,
        long savedRunnableNs,
        long restoredRunnableNs,
        long stealDeltaNs,
        long guestAreaRunnableNs,
        long gapLowNs,
        long gapHighNs,
        Long hostRunDelayNs,
        long errorNs,
        boolean withinBracket,
        boolean pass,
        long createNs,
        long saveNs,
        long restoreNs,
        long runNs) {

    /**
     * The guest's copy of the runstate says what the ioctl says. The kernel rewrites the area at the same
     * transition that books the gap, so a difference is a kernel writing a wrong area; it fails the iteration.
     */
    @JsonProperty("guestAreaAgrees")
    public boolean guestAreaAgrees() {
        return guestAreaRunnableNs == restoredRunnableNs;
    }
}
