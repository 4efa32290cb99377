package io.gapwatch.probe;

/** The phases of one probe, in the order of the seed; an ERROR names the phase it happened in. */
public enum Phase {
    CAPABILITIES("capabilities"),
    SOURCE_CREATE("source.create"),
    SOURCE_RUN("source.run"),
    SAVE("save"),
    MIGRATION_GAP("migration-gap"),
    DESTINATION_CREATE("destination.create"),
    RESTORE("restore"),
    DESTINATION_RUN("destination.run"),
    MEASURE("measure");

    private final String id;

    Phase(String id) {
        this.id = id;
    }

    @Override
    public String toString() {
        return id;
    }
}
