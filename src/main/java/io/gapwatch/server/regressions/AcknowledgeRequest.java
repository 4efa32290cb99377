package io.gapwatch.server.regressions;

import io.swagger.v3.oas.annotations.media.Schema;

/** POST /api/v1/regressions/{id}/acknowledge. */
public record AcknowledgeRequest(
        @Schema(description = "why it is known and accepted, e.g. a bug link", example = "known issue, see bug 1234",
                requiredMode = Schema.RequiredMode.REQUIRED)
        String reason) {
}
