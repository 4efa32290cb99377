package io.gapwatch.server.schedules;

import io.gapwatch.server.sweeps.Baseline;
import io.gapwatch.server.sweeps.Matrix;

import java.time.Instant;

/** A schedule as the API shows it, with its next due time and what its last fire did. */
public record ScheduleView(long id, String name, String cron, String timeZone, Matrix matrix, Baseline baseline,
                           boolean enabled, Instant nextFireAt, ScheduleFire lastFire, Instant createdAt, Instant updatedAt) {

    static ScheduleView of(Schedule s, ScheduleFire lastFire) {
        return new ScheduleView(s.id(), s.name(), s.cron(), s.timeZone(), s.matrix(), s.baseline(), s.enabled(),
                s.nextFireAt(), lastFire, s.createdAt(), s.updatedAt());
    }
}
