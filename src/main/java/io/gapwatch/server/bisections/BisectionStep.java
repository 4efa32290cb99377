package io.gapwatch.server.bisections;

import java.time.Instant;

/**
 * A row of bisection_steps: one kernel, run twice (the run and its re-verification).
 *
 * @param verdict null until both runs have ended
 * @param detail  the comparisons behind the verdict, in words and numbers
 */
public record BisectionStep(long bisectionId, int step, String kernel, StepRole role, long runId, long verifyRunId,
                            StepVerdict verdict, String detail, Instant createdAt, Instant decidedAt) {
}
