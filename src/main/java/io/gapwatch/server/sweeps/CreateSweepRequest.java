package io.gapwatch.server.sweeps;

import io.swagger.v3.oas.annotations.media.Schema;

/** POST /api/v1/sweeps. */
public record CreateSweepRequest(
        @Schema(description = "what to run; {} runs the defaults on every kernel the agents serve",
                requiredMode = Schema.RequiredMode.REQUIRED)
        MatrixRequest matrix,
        @Schema(description = "what to compare the results with; left out: nothing")
        BaselineRequest baseline) {
}
