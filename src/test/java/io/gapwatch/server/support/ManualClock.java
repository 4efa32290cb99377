package io.gapwatch.server.support;

import io.gapwatch.server.ServerClock;

import java.time.Duration;
import java.time.Instant;

/**
 * The queue's clock, moved by the test: lease expiry without sleeping. It starts a year ahead of real time:
 * the lease reapers of other test classes' contexts (kept alive by Spring, on the same database, with the
 * real clock) must not see this test's leases as long expired.
 */
public final class ManualClock implements ServerClock {
    private Instant now;

    public ManualClock() {
        this(Instant.now().plus(Duration.ofDays(365)).truncatedTo(java.time.temporal.ChronoUnit.MICROS));
    }

    /** A clock at a chosen instant, for servers on a database of their own. */
    public ManualClock(Instant start) {
        now = start;
    }

    @Override
    public synchronized Instant now() {
        return now;
    }

    public synchronized void advance(Duration d) {
        now = now.plus(d);
    }
}
