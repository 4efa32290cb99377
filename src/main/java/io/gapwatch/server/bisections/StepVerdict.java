package io.gapwatch.server.bisections;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/**
 * What a step's two runs said. {@code unstable}: they disagreed (or the comparison could not decide);
 * {@code no-data}: a run ended without measurements (SKIP, ERROR, CANCELLED). Either ends the bisection.
 * {@code skipped}: a midpoint that cannot be tested (its kernel did not build, or cannot run the probe): the
 * bisection steps around it, as {@code git bisect skip} does.
 */
public enum StepVerdict {
    GOOD, BAD, UNSTABLE, NO_DATA, SKIPPED;

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static StepVerdict fromId(String id) {
        return valueOf(id.toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
