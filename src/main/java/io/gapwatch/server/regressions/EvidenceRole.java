package io.gapwatch.server.regressions;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** Why a run is part of a regression's evidence. */
public enum EvidenceRole {
    /** A sweep's run of the regressed kernel. */
    SUSPECT,
    /** A sweep's run of the baseline it was compared with. */
    BASELINE,
    /** A confirmation re-run of the regressed kernel. */
    CONFIRM_SUSPECT,
    /** A confirmation re-run of the baseline. */
    CONFIRM_BASELINE;

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static EvidenceRole fromId(String id) {
        return valueOf(id.toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
