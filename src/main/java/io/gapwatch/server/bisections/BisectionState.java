package io.gapwatch.server.bisections;

/**
 * RUNNING until the first bad kernel is FOUND, or the bisection FAILED (with a reason). AMBIGUOUS: only kernels that
 * could not be tested were left, so the first bad is one of them or the first known bad (firstBadCandidates).
 */
public enum BisectionState {
    RUNNING, FOUND, AMBIGUOUS, FAILED
}
