package io.gapwatch.server.sweeps;

import java.time.Instant;
import java.util.List;

/**
 * A row of the sweeps table.
 *
 * @param kernels    the served kernels the matrix expanded to, in order
 * @param baseline   null when the sweep asked for none
 * @param scheduleId the schedule that created it, null when created on demand
 * @param dueAt      the schedule's due time it was created for; null when created on demand or triggered
 */
public record Sweep(long id, SweepState state, Matrix matrix, List<String> kernels, List<UnservedCell> unserved,
                    Baseline baseline, Long scheduleId, Instant dueAt, Instant createdAt, Instant finishedAt) {
}
