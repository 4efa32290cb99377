package io.gapwatch.server.schedules;

import java.time.Instant;

/**
 * A due time a schedule fired for, once. {@code firedAt} later than {@code dueAt} by more than a poll means the
 * fire was missed while no server ran and was made up at the next start.
 *
 * @param sweepId the sweep it started; null when it could not start one ({@code outcome} says why)
 */
public record ScheduleFire(long scheduleId, Instant dueAt, Instant firedAt, Long sweepId, String outcome) {
}
