package io.gapwatch.server.series;


import java.util.List;
import java.util.Map;

/** GET /api/v1/compare: every series the two kernels share (or either has), compared. */
/** summary: how many series fell in each category (regression, fixed, ...). */
public record CompareView(String base, String head, boolean simulated, Map<String, Long> summary,
                          List<ComparisonView> series) {
}
