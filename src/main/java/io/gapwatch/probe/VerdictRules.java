package io.gapwatch.probe;

import java.util.List;

/**
 * The seed's bound decides an iteration; the bracket measures accuracy beside it.
 * With {@code strict}, an iteration outside its bracket fails the run too.
 *
 * @param toleranceNs slack added to the top of the bracket (clock reads are not instantaneous)
 */
public record VerdictRules(long toleranceNs, boolean strict) {
    /**
     * The seed's upper bound, read as what it allows beyond its 10 ms gap: up to 5 s of VM creation and
     * restore overhead. More steal than the gap plus that is an accounting bug, at any gap.
     */
    public static final long OVERHEAD_BOUND_NS = 5_000_000_000L;
    public static final long DEFAULT_TOLERANCE_NS = 1_000_000L;

    public static VerdictRules defaults() {
        return new VerdictRules(DEFAULT_TOLERANCE_NS, false);
    }

    /** The seed's bound: gap <= stealDelta < gap + 5 s. A lost gap fails the lower bound, at any gap. */
    public boolean passes(long stealDeltaNs, int gapMs) {
        long gapNs = gapMs * 1_000_000L;
        return stealDeltaNs >= gapNs && stealDeltaNs < gapNs + OVERHEAD_BOUND_NS;
    }

    /** With {@code hostRunDelayNs} null (unreadable) the bracket cannot allow for host preemption, and does not. */
    public boolean withinBracket(long stealDeltaNs, long gapLowNs, long gapHighNs, Long hostRunDelayNs) {
        long preemptionNs = hostRunDelayNs == null ? 0 : hostRunDelayNs;
        return gapLowNs <= stealDeltaNs && stealDeltaNs <= gapHighNs + preemptionNs + toleranceNs;
    }

    public static long errorNs(long stealDeltaNs, long gapLowNs, long gapHighNs) {
        return stealDeltaNs - (gapLowNs + (gapHighNs - gapLowNs) / 2);
    }

    /** PASS if every iteration passes; FAIL otherwise. */
    public Verdict runVerdict(List<Measurement> measurements) {
        return measurements.stream().allMatch(m -> iterationPasses(m, strict)) ? Verdict.PASS : Verdict.FAIL;
    }

    /**
     * An iteration passes on the seed's bound with a guest runstate area that agrees with the ioctl, and,
     * in a strict run, within its bracket. KTAP's ok / not ok per iteration says the same.
     */
    public static boolean iterationPasses(Measurement m, boolean strict) {
        return m.pass() && m.guestAreaAgrees() && (!strict || m.withinBracket());
    }
}
