package io.gapwatch.server.schedules;

import io.gapwatch.server.sweeps.Baseline;
import io.gapwatch.server.sweeps.Matrix;

import java.time.Instant;

/**
 * A row of the schedules table: a cron expression that creates sweeps.
 *
 * @param nextFireAt the next due time; null while disabled
 */
public record Schedule(long id, String name, String cron, String timeZone, Matrix matrix, Baseline baseline,
                       boolean enabled, Instant nextFireAt, Instant createdAt, Instant updatedAt) {

    public CronSchedule cronSchedule() {
        return CronSchedule.parse(cron, timeZone);
    }
}
