package io.gapwatch.server.series;

/** A row of the series table. */
public record SeriesRow(long id, SeriesKey key) {
}
