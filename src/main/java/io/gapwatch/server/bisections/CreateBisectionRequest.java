package io.gapwatch.server.bisections;

import io.swagger.v3.oas.annotations.media.Schema;

/** POST /api/v1/bisections: find the first bad kernel between a good and a bad one of one series. */
public record CreateBisectionRequest(
        @Schema(description = "a kernel known good", example = "sim:6.12.100", requiredMode = Schema.RequiredMode.REQUIRED)
        String good,
        @Schema(description = "a later kernel of the same series known bad", example = "sim:6.12.113",
                requiredMode = Schema.RequiredMode.REQUIRED)
        String bad,
        @Schema(description = "the variant that regressed", example = "clock-realtime", requiredMode = Schema.RequiredMode.REQUIRED)
        String variant,
        @Schema(description = "the gap in ms", example = "10", defaultValue = "10")
        Integer gapMs,
        @Schema(description = "kvm, lab or sim; default: the backend a registered agent serves both kernels on")
        String backend,
        @Schema(description = "iterations of each run of each step; default gapwatch.analysis.confirmation-iterations")
        Integer iterations) {
}
