package io.gapwatch.server.regressions;

/**
 * SUSPECTED while its confirmation runs are out; then ACTIVE (confirmed) or DISMISSED (not confirmed).
 * ACTIVE ends FIXED after enough clean sweeps, or is ACKNOWLEDGED as a known issue (which can still turn FIXED).
 */
public enum RegressionState {
    SUSPECTED, ACTIVE, DISMISSED, FIXED, ACKNOWLEDGED
}
