package io.gapwatch.server.regressions;

import com.fasterxml.jackson.annotation.JsonValue;

/** What raised a regression. */
public enum RegressionKind {
    /** The sweep's compare with its baseline said regression. */
    COMPARE("compare"),
    /** A change point in the kernel's own nightly series. */
    CHANGE_POINT("change-point"),
    /** The negative control (clock-frozen) passed: the harness went blind. Raised at once, unconfirmed. */
    NEGATIVE_CONTROL("negative-control");

    private final String id;

    RegressionKind(String id) {
        this.id = id;
    }

    @JsonValue
    public String id() {
        return id;
    }

    public static RegressionKind fromId(String id) {
        for (RegressionKind k : values()) {
            if (k.id.equals(id)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown regression kind " + id);
    }
}
