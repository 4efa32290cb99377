package io.gapwatch.server;

import java.time.Instant;

/**
 * The time the queue decides by. In production it is the database's clock, so every server process
 * and every agent agree on when a lease expires whatever their own clocks say; tests inject a manual one.
 */
@FunctionalInterface
public interface ServerClock {
    Instant now();
}
