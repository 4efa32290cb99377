package io.gapwatch.server.sweeps;

/**
 * Every run of the sweep has ended and it is COMPLETED (not published for a cancelled sweep). Published as a
 * Spring application event after the transaction that completed it committed, once, by the one server replica
 * whose update completed it.
 */
public record SweepCompleted(long sweepId) {
}
