package io.gapwatch.server.support;

import io.gapwatch.server.ServerClock;

import java.time.Duration;
import java.time.Instant;

/** The queue's clock, moved by the test: lease expiry without sleeping. */
public final class ManualClock implements ServerClock {
    private Instant now = Instant.parse("2026-11-25T12:00:00Z");

    @Override
    public synchronized Instant now() {
        return now;
    }

    public synchronized void advance(Duration d) {
        now = now.plus(d);
    }
}
