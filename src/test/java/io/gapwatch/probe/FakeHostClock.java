package io.gapwatch.probe;

import java.util.OptionalLong;

/**
 * A host clock under the test's control: the migration gap's sleep advances time instantly,
 * and every clock read advances it by {@code tickNs}, as real calls take time.
 */
public final class FakeHostClock implements HostClock {
    static final long EPOCH_OFFSET_NS = 1_700_000_000_000_000_000L;
    private long nowNs = 5_000_000_000L;
    private final long tickNs;
    private long runDelayNs;
    private boolean runDelayHidden;

    public FakeHostClock(long tickNs) {
        this.tickNs = tickNs;
    }

    @Override
    public long monotonicNs() {
        nowNs += tickNs;
        return nowNs;
    }

    @Override
    public long realtimeNs() {
        return nowNs + EPOCH_OFFSET_NS;
    }

    @Override
    public void sleep(long ns) {
        nowNs += ns;
    }

    @Override
    public OptionalLong runDelayNs() {
        return runDelayHidden ? OptionalLong.empty() : OptionalLong.of(runDelayNs);
    }

    /** The host will not tell the thread's run_delay (no /proc/thread-self/schedstat). */
    public void hideRunDelay() {
        runDelayHidden = true;
    }

    /** The host preempts the probe thread for this long (it waited on a run queue). */
    public void preempt(long ns) {
        nowNs += ns;
        runDelayNs += ns;
    }
}
