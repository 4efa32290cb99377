package io.gapwatch.server.series;

/** Which series to list; a null field matches any. */
public record SeriesFilter(String kernel, String variant, Integer gapMs, String backend) {
}
