package io.gapwatch.server.bisections;

import io.gapwatch.server.analysis.BisectionRange;

import java.time.Instant;
import java.util.List;

/**
 * A row of the bisections table.
 *
 * @param kernels   the good kernel, every served kernel of its series between, the bad kernel (Debian order)
 * @param goodIndex the last kernel known good so far
 * @param badIndex  the first kernel known bad so far
 * @param firstBadCandidates once AMBIGUOUS: the kernels the first bad can be (the untestable ones left, then the
 *                           first known bad); empty otherwise
 */
public record Bisection(long id, BisectionState state, String good, String bad, String variant, int gapMs,
                        String backend, int iterations, List<String> kernels, int goodIndex, int badIndex,
                        String firstBad, List<String> firstBadCandidates, String reason, Long regressionId,
                        Instant createdAt, Instant finishedAt) {

    public BisectionRange range() {
        return new BisectionRange(kernels, goodIndex, badIndex);
    }
}
