package io.gapwatch.server.bisections;

/** RUNNING until the first bad kernel is FOUND, or the bisection FAILED (with a reason). */
public enum BisectionState {
    RUNNING, FOUND, FAILED
}
