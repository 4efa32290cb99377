package io.gapwatch.server.runs;

import com.fasterxml.jackson.annotation.JsonAlias;
import io.swagger.v3.oas.annotations.media.Schema;

/** POST /api/v1/runs. Everything but the variant has a default. */
public record CreateRunRequest(
        @Schema(description = "clock-realtime, clock-frozen (negative control) or clock-guest", example = "clock-realtime",
                requiredMode = Schema.RequiredMode.REQUIRED)
        String variant,
        @Schema(description = "the migration gap in ms, 1..60000", example = "10", defaultValue = "10")
        Integer gapMs,
        @Schema(description = "probes in the run, 1..1000", example = "3", defaultValue = "1")
        Integer iterations,
        @Schema(description = "an iteration outside its accuracy bracket fails the run", defaultValue = "false")
        Boolean strict,
        @Schema(description = "where to run; each field narrows the choice, none means any registered target")
        TargetRequest target) {

    public record TargetRequest(
            @Schema(description = "agent name", example = "lab-1") String agent,
            @Schema(description = "kernel release (uname -r)", example = "6.12.117+deb12-amd64")
            @JsonAlias("kernelRelease") String kernel,
            @Schema(description = "kvm, lab or sim", example = "sim") String backend) {
    }
}
