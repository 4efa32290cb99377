package io.gapwatch.server.schedules;

import io.gapwatch.server.sweeps.BaselineRequest;
import io.gapwatch.server.sweeps.MatrixRequest;
import io.swagger.v3.oas.annotations.media.Schema;

/** POST /api/v1/schedules (name, cron and matrix required) and PATCH /api/v1/schedules/{id} (what is given changes). */
public record ScheduleRequest(
        @Schema(description = "unique name", example = "nightly") String name,
        @Schema(description = "standard 5-field cron: minute hour day-of-month month day-of-week", example = "0 2 * * *")
        String cron,
        @Schema(description = "the zone the cron expression's wall clock is in", example = "UTC", defaultValue = "UTC")
        String timeZone,
        @Schema(description = "what each fire runs, as in POST /api/v1/sweeps") MatrixRequest matrix,
        @Schema(description = "what each sweep is compared with: {\"kernel\":\"...\"} or {\"previousSweep\":true}")
        BaselineRequest baseline,
        @Schema(description = "a disabled schedule does not fire (it can still be triggered)", defaultValue = "true")
        Boolean enabled) {
}
