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
    private Instant now = Instant.now().plus(Duration.ofDays(365)).truncatedTo(java.time.temporal.ChronoUnit.MICROS);

    @Override
    public synchronized Instant now() {
        return now;
    }

    public synchronized void advance(Duration d) {
        now = now.plus(d);
    }
}
