package io.gapwatch.server.runs;

import java.time.Instant;

/** Something that happened to a run. */
public record RunEvent(Instant at, Kind kind, String detail) {
    public enum Kind {
        CREATED, LEASED, LEASE_EXPIRED, REQUEUED, GAVE_UP, RESULT_ACCEPTED, RESULT_REFUSED, CANCELLED,
        /** an attempt ended in an infrastructure ERROR (REQUEUED or GAVE_UP follows) */
        INFRASTRUCTURE_ERROR
    }
}
