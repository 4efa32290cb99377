package io.gapwatch.server.patches;

import io.swagger.v3.oas.annotations.media.Schema;

import java.util.List;

/** POST /api/v1/series: a patch series to test against its base kernel source. */
public record SubmitSeriesRequest(
        @Schema(description = "the kernel source the patches apply to (a Debian linux-source version)", example = "6.12.117",
                requiredMode = Schema.RequiredMode.REQUIRED)
        String base,
        @Schema(description = "the patches in order, each one git format-patch file or mbox message with its Subject: line",
                requiredMode = Schema.RequiredMode.REQUIRED)
        List<PatchText> patches,
        @Schema(description = "Kconfig lines on top of the lab's config (CONFIG_X=y, # CONFIG_X is not set)", example = "CONFIG_KVM_XEN=y")
        String configFragment,
        @Schema(description = "the variant swept and compared", example = "clock-realtime", defaultValue = "clock-realtime")
        String variant,
        @Schema(description = "the migration gap in ms", example = "10", defaultValue = "10")
        Integer gapMs,
        @Schema(description = "iterations of each run; default gapwatch.analysis.confirmation-iterations (10)", example = "10")
        Integer iterations) {

    /** One patch, its text exactly as given (the kernel's name is computed over these bytes). */
    public record PatchText(
            @Schema(description = "the patch: mail headers (From, Subject), message, diff", requiredMode = Schema.RequiredMode.REQUIRED)
            String text) {
    }
}
