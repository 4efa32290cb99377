package io.gapwatch.server.sweeps;

/** RUNNING until every run of the sweep has ended, then COMPLETED; CANCELLED when cancelled before that. */
public enum SweepState {
    RUNNING, COMPLETED, CANCELLED
}
