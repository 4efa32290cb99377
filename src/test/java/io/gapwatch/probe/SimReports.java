package io.gapwatch.probe;

import io.gapwatch.probe.sim.SimFaults;
import io.gapwatch.probe.sim.SimKernel;

/** Real probe reports from the simulated kernel, for tests that need a result to deliver. */
public final class SimReports {
    private SimReports() {
    }

    public static ProbeReport of(Variant variant, int gapMs, int iterations) {
        return of(variant, gapMs, iterations, SimFaults.none());
    }

    /** A report of a simulated kernel that misbehaves as {@code faults} say. */
    public static ProbeReport of(Variant variant, int gapMs, int iterations, SimFaults faults) {
        FakeHostClock clock = new FakeHostClock(1_000);
        return new Probe(new SimKernel(clock, faults), clock)
                .run(new ProbeRequest(variant, gapMs, iterations, VerdictRules.defaults()));
    }
}
