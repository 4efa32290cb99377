package io.gapwatch.server.analysis;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** What changed in one series between a base kernel and a head kernel, in KernelCI's tree-compare words. */
public enum CompareCategory {
    /** The head is significantly worse: fewer iterations as expected, or a larger accounting error. */
    REGRESSION("regression"),
    /** The head is significantly better than a base that was failing or inaccurate. */
    FIXED("fixed"),
    /** Both sides fail their expected verdict, and nothing changed significantly. */
    STILL_FAILING("still-failing"),
    /** The head meets its expected verdict where the base did not, without significant evidence of a fix. */
    NEW_PASS("new-pass"),
    /** No significant change above the effect-size floor. */
    UNCHANGED("unchanged"),
    /** Too few samples on a side, or a change seen against a baseline too unstable to trust. */
    INSUFFICIENT_DATA("insufficient-data");

    private final String id;

    CompareCategory(String id) {
        this.id = id;
    }

    @JsonValue
    public String id() {
        return id;
    }

    @JsonCreator
    public static CompareCategory fromId(String id) {
        for (CompareCategory c : values()) {
            if (c.id.equals(id)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown compare category '" + id + "'");
    }

    @Override
    public String toString() {
        return id;
    }
}
