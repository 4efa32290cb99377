package io.gapwatch.server.series;

import io.gapwatch.server.analysis.Sample;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The series table, and the reads of measurements by series that the analysis makes. Every read here is a
 * range of the index {@code measurements_series (series_id, measured_at, run_id) INCLUDE (error_ns, pass,
 * within_bracket)}, so it stays an index-only scan of one series however many measurements there are.
 */
@Repository
public class SeriesRepository {
    private static final RowMapper<SeriesRow> ROW = (rs, i) -> new SeriesRow(rs.getLong("id"),
            new SeriesKey(rs.getString("kernel_release"), rs.getString("variant"), rs.getInt("gap_ms"),
                    rs.getString("backend")));
    private static final RowMapper<Sample> SAMPLE = (rs, i) -> sample(rs);

    /** One series' measurements in [from, to] by time bucket (SeriesQueryPlanTest checks it reads the series index). */
    static final String BUCKETS = """
            SELECT least(floor(extract(epoch FROM measured_at - :from) * 1000 / :bucketMs)::int, :last) AS bucket,
                   count(*) AS n, count(DISTINCT run_id) AS runs,
                   percentile_cont(ARRAY[0.05, 0.5, 0.95]) WITHIN GROUP (ORDER BY error_ns) AS q,
                   min(error_ns) AS min_error, max(error_ns) AS max_error,
                   avg(pass::int) AS pass_rate, avg(within_bracket::int) AS within_rate
            FROM measurements
            WHERE series_id = :id AND measured_at >= :from AND measured_at <= :to
            GROUP BY bucket
            ORDER BY bucket""";

    private final JdbcClient jdbc;

    public SeriesRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The id of a series, created on its first measurement (concurrent first measurements agree on one). */
    public long idFor(SeriesKey key) {
        jdbc.sql("""
                        INSERT INTO series (kernel_release, variant, gap_ms, backend)
                        VALUES (:kernel, :variant, :gapMs, :backend)
                        ON CONFLICT (kernel_release, variant, gap_ms, backend) DO NOTHING""")
                .param("kernel", key.kernel()).param("variant", key.variant())
                .param("gapMs", key.gapMs()).param("backend", key.backend())
                .update();
        return find(key).orElseThrow().id();
    }

    public Optional<SeriesRow> find(SeriesKey key) {
        return jdbc.sql("""
                        SELECT * FROM series
                        WHERE kernel_release = :kernel AND variant = :variant AND gap_ms = :gapMs AND backend = :backend""")
                .param("kernel", key.kernel()).param("variant", key.variant())
                .param("gapMs", key.gapMs()).param("backend", key.backend())
                .query(ROW).optional();
    }

    public List<SeriesRow> list(SeriesFilter filter, int page, int size) {
        Where where = where(filter);
        var spec = jdbc.sql("SELECT * FROM series" + where.sql
                + " ORDER BY kernel_release, variant, gap_ms, backend LIMIT :limit OFFSET :offset");
        where.bind(spec);
        return spec.param("limit", size).param("offset", (long) page * size).query(ROW).list();
    }

    public long count(SeriesFilter filter) {
        Where where = where(filter);
        var spec = jdbc.sql("SELECT count(*) FROM series" + where.sql);
        where.bind(spec);
        return spec.query(Long.class).single();
    }

    /** Every sample of a series. */
    public List<Sample> samples(long seriesId) {
        return jdbc.sql("SELECT error_ns, pass, within_bracket FROM measurements WHERE series_id = :id")
                .param("id", seriesId).query(SAMPLE).list();
    }

    /** The samples of the given runs only (a sweep's, a confirmation's), whatever their series. */
    public List<Sample> samplesOfRuns(Collection<Long> runIds) {
        if (runIds.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("SELECT error_ns, pass, within_bracket FROM measurements WHERE run_id IN (:runs)")
                .param("runs", runIds).query(SAMPLE).list();
    }

    /** The latest samples of a series, oldest first, with their runs: the recent history change points look at. */
    public List<RunSample> recentSamples(long seriesId, int limit) {
        List<RunSample> newestFirst = jdbc.sql("""
                        SELECT run_id, error_ns, pass, within_bracket FROM measurements
                        WHERE series_id = :id
                        ORDER BY measured_at DESC, run_id DESC
                        LIMIT :limit""")
                .param("id", seriesId).param("limit", limit)
                .query((rs, i) -> new RunSample(rs.getLong("run_id"), sample(rs)))
                .list();
        List<RunSample> oldestFirst = new ArrayList<>(newestFirst);
        Collections.reverse(oldestFirst);
        return oldestFirst;
    }

    /** When the series' first and last measurements were recorded; empty if it has none. */
    public Optional<Instant[]> extent(long seriesId) {
        return jdbc.sql("SELECT min(measured_at) AS first, max(measured_at) AS last FROM measurements WHERE series_id = :id")
                .param("id", seriesId)
                .query((rs, i) -> rs.getObject("first", OffsetDateTime.class) == null ? null
                        : new Instant[]{rs.getObject("first", OffsetDateTime.class).toInstant(),
                        rs.getObject("last", OffsetDateTime.class).toInstant()})
                .optional();
    }

    /**
     * The measurements of a series recorded in [from, to], downsampled into time buckets of {@code bucketMs}
     * (the last one also holds {@code to} itself): count and errorNs percentiles per bucket, computed by
     * PostgreSQL over one range of the series index, so only the buckets travel. Empty buckets are left out.
     */
    public List<SeriesPoints.Point> buckets(long seriesId, Instant from, Instant to, long bucketMs, int buckets) {
        return jdbc.sql(BUCKETS)
                .param("id", seriesId).param("from", OffsetDateTime.ofInstant(from, ZoneOffset.UTC))
                .param("to", OffsetDateTime.ofInstant(to, ZoneOffset.UTC))
                .param("bucketMs", bucketMs).param("last", buckets - 1)
                .query((rs, i) -> {
                    Double[] q = (Double[]) rs.getArray("q").getArray();
                    return new SeriesPoints.Point(from.plusMillis(rs.getInt("bucket") * bucketMs), rs.getLong("n"),
                            rs.getLong("runs"), q[1], q[0], q[2], rs.getLong("min_error"), rs.getLong("max_error"),
                            rs.getDouble("pass_rate"), rs.getDouble("within_rate"));
                })
                .list();
    }

    private static Sample sample(ResultSet rs) throws SQLException {
        return new Sample(rs.getLong("error_ns"), rs.getBoolean("pass"), rs.getBoolean("within_bracket"));
    }

    private record Where(String sql, List<Object[]> params) {
        void bind(JdbcClient.StatementSpec spec) {
            params.forEach(p -> spec.param((String) p[0], p[1]));
        }
    }

    private static Where where(SeriesFilter f) {
        List<String> clauses = new ArrayList<>();
        List<Object[]> params = new ArrayList<>();
        if (f.kernel() != null) {
            clauses.add("kernel_release = :kernel");
            params.add(new Object[]{"kernel", f.kernel()});
        }
        if (f.variant() != null) {
            clauses.add("variant = :variant");
            params.add(new Object[]{"variant", f.variant()});
        }
        if (f.gapMs() != null) {
            clauses.add("gap_ms = :gapMs");
            params.add(new Object[]{"gapMs", f.gapMs()});
        }
        if (f.backend() != null) {
            clauses.add("backend = :backend");
            params.add(new Object[]{"backend", f.backend()});
        }
        return new Where(clauses.isEmpty() ? "" : " WHERE " + String.join(" AND ", clauses), params);
    }
}
