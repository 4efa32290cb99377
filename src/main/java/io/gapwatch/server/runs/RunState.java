package io.gapwatch.server.runs;

/** Where a run is in the queue. Only COMPLETED runs have a verdict. */
public enum RunState {
    QUEUED, LEASED, RUNNING, COMPLETED, CANCELLED;

    public boolean finished() {
        return this == COMPLETED || this == CANCELLED;
    }
}
