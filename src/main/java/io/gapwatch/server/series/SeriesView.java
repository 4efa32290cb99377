package io.gapwatch.server.series;

import io.swagger.v3.oas.annotations.media.Schema;

import java.util.List;

/** One series with its statistics over every stored measurement. */
public record SeriesView(String kernel, String variant, int gapMs, String backend,
                         @Schema(description = "true for the sim backend: a model, never a kernel result")
                         boolean simulated,
                         StatisticsView statistics) {

    public record Page(List<SeriesView> items, int page, int size, long total) {
    }
}
