package io.gapwatch.server.series;

import io.gapwatch.probe.Variant;
import io.gapwatch.probe.Verdict;
import io.gapwatch.server.analysis.ChangePointDetector;
import io.gapwatch.server.analysis.Compare;
import io.gapwatch.server.analysis.Comparison;
import io.gapwatch.server.analysis.Sample;
import io.gapwatch.server.analysis.SeriesStatistics;
import io.gapwatch.server.web.InvalidRequestException;
import org.springframework.stereotype.Service;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** Series statistics and kernel-to-kernel comparison, from every stored measurement. */
@Service
public class SeriesService {
    private static final int MAX_SERIES_PER_KERNEL = 10_000;

    private final SeriesRepository series;
    private final Compare compare;
    private final ChangePointDetector changePoints;

    public SeriesService(SeriesRepository series, Compare compare, ChangePointDetector changePoints) {
        this.series = series;
        this.compare = compare;
        this.changePoints = changePoints;
    }

    public SeriesView.Page list(SeriesFilter filter, int page, int size) {
        List<SeriesView> items = series.list(filter, page, size).stream()
                .map(row -> view(row.key(), SeriesStatistics.of(series.samples(row.id()))))
                .toList();
        return new SeriesView.Page(items, page, size, series.count(filter));
    }

    /**
     * One series between {@code from} and {@code to} (by default its first and last measurement) in at most
     * {@code buckets} time buckets, with the change points of the bucket medians. Without a backend, the kernel's
     * only series of that variant and gap; a kernel measured on two backends must say which.
     */
    public SeriesPoints points(String kernel, String variant, int gapMs, String backend, Instant from, Instant to,
                               int buckets) {
        List<SeriesRow> rows = series.list(new SeriesFilter(kernel, variant, gapMs, backend), 0, 10);
        if (rows.isEmpty()) {
            throw new InvalidRequestException("kernel", "no measurements of kernel '" + kernel + "'"
                    + filterText(variant, gapMs) + (backend == null ? "" : " on " + backend)
                    + "; GET /api/v1/series lists what is measured");
        }
        if (rows.size() > 1) {
            throw new InvalidRequestException("backend", "kernel '" + kernel + "' has series on "
                    + rows.stream().map(r -> r.key().backend()).toList() + ": say which backend");
        }
        SeriesRow row = rows.get(0);
        Instant[] extent = series.extent(row.id()).orElse(null);
        Instant start = from != null ? from : extent != null ? extent[0] : to;
        Instant end = to != null ? to : extent != null ? extent[1] : start;
        if (start == null) {
            throw new InvalidRequestException("kernel", "the series of kernel '" + kernel + "' has no measurements");
        }
        if (start.isAfter(end)) {
            throw new InvalidRequestException("from", "must not be after to (" + end + "), was " + start);
        }
        long span = Duration.between(start, end).toMillis() + 1;
        long bucketMs = (span + buckets - 1) / buckets;
        List<SeriesPoints.Point> points = series.buckets(row.id(), start, end, bucketMs, buckets);
        double[] medians = points.stream().mapToDouble(SeriesPoints.Point::medianErrorNs).toArray();
        List<SeriesPoints.ChangeAt> changes = changePoints.detect(medians).stream()
                .map(c -> new SeriesPoints.ChangeAt(points.get(c.index()).start(), c.meanBefore(), c.meanAfter(), c.pValue()))
                .toList();
        SeriesKey key = row.key();
        return new SeriesPoints(key.kernel(), key.variant(), key.gapMs(), key.backend(), "sim".equals(key.backend()),
                start, end, buckets, bucketMs, points.stream().mapToLong(SeriesPoints.Point::n).sum(), points, changes);
    }

    /**
     * Compares every series of {@code head} with the same series (variant, gap, backend) of {@code base}; a
     * series only one of them has is insufficient data on the other side.
     */
    public CompareView compare(String base, String head, String variant, Integer gapMs) {
        Map<List<Object>, SeriesRow> baseSeries = byShape(base, variant, gapMs);
        Map<List<Object>, SeriesRow> headSeries = byShape(head, variant, gapMs);
        if (baseSeries.isEmpty()) {
            throw new InvalidRequestException("base", "no measurements of kernel '" + base + "'"
                    + filterText(variant, gapMs) + "; GET /api/v1/series lists what is measured");
        }
        if (headSeries.isEmpty()) {
            throw new InvalidRequestException("head", "no measurements of kernel '" + head + "'"
                    + filterText(variant, gapMs) + "; GET /api/v1/series lists what is measured");
        }
        Map<List<Object>, SeriesKey> shapes = new TreeMap<>(Comparator.comparing(Object::toString));
        baseSeries.forEach((shape, row) -> shapes.put(shape, row.key()));
        headSeries.forEach((shape, row) -> shapes.putIfAbsent(shape, row.key()));
        List<ComparisonView> rows = new ArrayList<>();
        boolean simulated = false;
        for (var e : shapes.entrySet()) {
            SeriesKey key = e.getValue();
            simulated |= "sim".equals(key.backend());
            Comparison c = compare(samples(baseSeries.get(e.getKey())), samples(headSeries.get(e.getKey())),
                    key.variant(), key.gapMs());
            rows.add(ComparisonView.of(key, c));
        }
        Map<String, Long> summary = new LinkedHashMap<>();
        rows.forEach(r -> summary.merge(r.category().id(), 1L, Long::sum));
        return new CompareView(base, head, simulated, summary, rows);
    }

    /** One comparison of two sets of samples of a series: what regressions and bisections decide by. */
    public Comparison compare(List<Sample> base, List<Sample> head, String variant, int gapMs) {
        return compare.compare(base, head, gapMs, Variant.fromId(variant).expectedVerdict() == Verdict.PASS);
    }

    private List<Sample> samples(SeriesRow row) {
        return row == null ? List.of() : series.samples(row.id());
    }

    private Map<List<Object>, SeriesRow> byShape(String kernel, String variant, Integer gapMs) {
        Map<List<Object>, SeriesRow> m = new LinkedHashMap<>();
        for (SeriesRow row : series.list(new SeriesFilter(kernel, variant, gapMs, null), 0, MAX_SERIES_PER_KERNEL)) {
            m.put(List.of(row.key().variant(), row.key().gapMs(), row.key().backend()), row);
        }
        return m;
    }

    private static String filterText(String variant, Integer gapMs) {
        return (variant == null ? "" : " for " + variant) + (gapMs == null ? "" : " at " + gapMs + " ms");
    }

    static SeriesView view(SeriesKey key, SeriesStatistics s) {
        return new SeriesView(key.kernel(), key.variant(), key.gapMs(), key.backend(),
                Objects.equals(key.backend(), "sim"), StatisticsView.of(s));
    }
}
