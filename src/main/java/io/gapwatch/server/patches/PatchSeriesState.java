package io.gapwatch.server.patches;

/**
 * Where a patch series is: SWEEPING its base and its full series, then either NO_REGRESSION (done), or BISECTING
 * its prefixes until the first bad patch is FOUND. AMBIGUOUS when the prefixes left could not be built: the first bad
 * patch is one of them or the first known bad (the answer lists them, as git bisect skip does). FAILED (with a
 * reason) when a build, a run or the bisection could not give an answer.
 */
public enum PatchSeriesState {
    SWEEPING, BISECTING, NO_REGRESSION, FOUND, AMBIGUOUS, FAILED
}
