package io.gapwatch.server.runs;

import java.util.List;

/** One page of GET /api/v1/runs, newest first. */
public record RunPage(List<RunView> items, int page, int size, long total) {
}
