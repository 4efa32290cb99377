package io.gapwatch.server.patches;

import java.time.Instant;

/**
 * A row of the patch_series table.
 *
 * @param sweepId          the sweep of the base (k = 0) and the full series (k = n), each run twice
 * @param bisectionId      the bisection over k = 0..n, once the full series regressed
 * @param comparison       the full series against the base, in words and numbers, once the sweep ended
 * @param firstBadPosition the answer once FOUND: the first patch whose prefix regresses (1..n)
 */
public record PatchSeries(long id, PatchSeriesState state, String base, String configFragment, String variant,
                          int gapMs, int iterations, Long sweepId, Long bisectionId, String comparison,
                          Integer firstBadPosition, String reason, Instant createdAt, Instant finishedAt) {
}
