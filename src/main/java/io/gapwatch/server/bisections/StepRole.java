package io.gapwatch.server.bisections;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** What a step checks: that the good kernel is good, that the bad one is bad, or which side a midpoint is on. */
public enum StepRole {
    GOOD, BAD, MIDPOINT;

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static StepRole fromId(String id) {
        return valueOf(id.toUpperCase(Locale.ROOT));
    }
}
