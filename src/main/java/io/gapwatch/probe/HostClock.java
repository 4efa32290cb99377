package io.gapwatch.probe;

import java.util.OptionalLong;

/** The host's clocks and scheduler, as the probe measures them; tests replace it to avoid sleeping. */
public interface HostClock {

    /** CLOCK_MONOTONIC in ns. */
    long monotonicNs();

    /** CLOCK_REALTIME in ns since the epoch. */
    long realtimeNs();

    /** Sleep for the migration gap. */
    void sleep(long ns) throws InterruptedException;

    /**
     * The calling thread's scheduler run_delay in ns (time runnable but waiting for a CPU): the host
     * preemption the kernel legitimately adds to time_runnable. Empty where it cannot be read.
     */
    OptionalLong runDelayNs();
}
