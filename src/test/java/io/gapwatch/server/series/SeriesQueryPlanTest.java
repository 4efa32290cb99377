package io.gapwatch.server.series;

import io.gapwatch.server.support.Tables;
import io.gapwatch.server.support.TestDatabase;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Series queries stay one index range as measurements grow: with 200 000 measurements in 1000 series, reading one
 * series is an index-only scan of measurements_series, whatever the planner thinks of the rest of the table.
 * The figure printed is the time to read one series of 1000 measurements through the repository.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SeriesQueryPlanTest {
    private static final int SERIES = 1000;
    private static final int RUNS_PER_SERIES = 20;
    private static final int ITERATIONS = 10;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabase.register(registry);
    }

    @Autowired
    JdbcClient jdbc;
    @Autowired
    SeriesRepository series;

    @Test
    void one_series_is_an_index_only_range_among_many_measurements() {
        Tables.truncateAll(jdbc);
        jdbc.sql("""
                        INSERT INTO series (kernel_release, variant, gap_ms, backend)
                        SELECT 'sim:6.12.' || s, 'clock-realtime', 10, 'sim' FROM generate_series(1, :series) s""")
                .param("series", SERIES).update();
        jdbc.sql("""
                        INSERT INTO runs (state, verdict, variant, gap_ms, iterations, expected_verdict, max_attempts,
                                          kernel_release, backend, created_at, finished_at)
                        SELECT 'COMPLETED', 'PASS', 'clock-realtime', 10, :iterations, 'PASS', 3, s.kernel_release, 'sim',
                               now() - r * interval '1 day', now() - r * interval '1 day'
                        FROM series s, generate_series(1, :runs) r""")
                .param("iterations", ITERATIONS).param("runs", RUNS_PER_SERIES).update();
        jdbc.sql("""
                        INSERT INTO measurements (run_id, iteration, saved_runnable_ns, restored_runnable_ns, steal_delta_ns,
                            guest_area_runnable_ns, gap_low_ns, gap_high_ns, host_run_delay_ns, error_ns, within_bracket,
                            pass, create_ns, save_ns, restore_ns, run_ns, series_id, measured_at)
                        SELECT r.id, i, 0, 10000000, 10000000, 10000000, 9900000, 10100000, 0, (r.id * 7919 + i) % 100000,
                               true, true, 1, 1, 1, 1, s.id, r.finished_at
                        FROM runs r JOIN series s ON s.kernel_release = r.kernel_release, generate_series(1, :iterations) i""")
                .param("iterations", ITERATIONS).update();
        jdbc.sql("VACUUM ANALYZE measurements").update();
        long total = jdbc.sql("SELECT count(*) FROM measurements").query(Long.class).single();
        long seriesId = jdbc.sql("SELECT id FROM series WHERE kernel_release = 'sim:6.12.500'").query(Long.class).single();

        String plan = String.join("\n", jdbc.sql(
                "EXPLAIN SELECT error_ns, pass, within_bracket FROM measurements WHERE series_id = " + seriesId)
                .query(String.class).list());
        String recent = String.join("\n", jdbc.sql("EXPLAIN SELECT run_id, error_ns, pass, within_bracket FROM measurements"
                + " WHERE series_id = " + seriesId + " ORDER BY measured_at DESC, run_id DESC LIMIT 500")
                .query(String.class).list());
        String buckets = String.join("\n", jdbc.sql("EXPLAIN " + SeriesRepository.BUCKETS)
                .param("id", seriesId).param("from", OffsetDateTime.now().minusDays(30)).param("to", OffsetDateTime.now())
                .param("bucketMs", 3_600_000L).param("last", 719).query(String.class).list());
        long start = System.nanoTime();
        List<?> samples = series.samples(seriesId);
        double ms = (System.nanoTime() - start) / 1e6;
        Instant now = Instant.now();
        start = System.nanoTime();
        List<SeriesPoints.Point> points = series.buckets(seriesId, now.minus(Duration.ofDays(30)), now, 3_600_000L, 720);
        double bucketMs = (System.nanoTime() - start) / 1e6;

        System.out.printf("series query plan: %d measurements in %d series; one series (%d samples) read in %.1f ms (series index)%n",
                total, SERIES, samples.size(), ms);
        assertThat(total).isEqualTo((long) SERIES * RUNS_PER_SERIES * ITERATIONS);
        assertThat(samples).hasSize(RUNS_PER_SERIES * ITERATIONS);
        // The series index serves both reads, never a scan of the table. Whether PostgreSQL reads it index-only
        // ("Index Only Scan using measurements_series on measurements") or through a bitmap ("Bitmap Index Scan on
        // measurements_series") depends on the visibility map, which VACUUM cannot set while another test's
        // transaction on the shared database holds an older snapshot: the plan's shape is not the point, the index is.
        assertThat(plan).as(plan).contains("measurements_series").doesNotContain("Seq Scan");
        assertThat(recent).as(recent).contains("measurements_series").doesNotContain("Seq Scan");
        System.out.printf("series query plan: the same series in hourly buckets over 30 days: %d points in %.1f ms%n",
                points.size(), bucketMs);
        assertThat(points).hasSize(RUNS_PER_SERIES);
        assertThat(points.stream().mapToLong(SeriesPoints.Point::n).sum()).isEqualTo(RUNS_PER_SERIES * ITERATIONS);
        assertThat(buckets).as(buckets).contains("measurements_series").doesNotContain("Seq Scan");
    }
}
