package io.gapwatch.server.sweeps;

import java.util.List;

/** A page of sweeps, newest first. */
public record SweepPage(List<SweepView> items, int page, int size, long total) {
}
