package io.gapwatch.server.series;

/** What makes measurements one series: the kernel they ran on, the variant, the gap and the backend. */
public record SeriesKey(String kernel, String variant, int gapMs, String backend) {
}
