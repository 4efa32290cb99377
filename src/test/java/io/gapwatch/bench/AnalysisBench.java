package io.gapwatch.bench;

import io.gapwatch.probe.TargetInfo;
import io.gapwatch.server.metrics.GrafanaConfig;
import tools.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The analysis over a large history: {@code measurements} generated in SQL over {@code series} series of sim
 * kernels (10 series a kernel: 2 variants x 5 gaps, runs of 10 iterations, finished over the last 7 days, the
 * dashboards' default range), then the API calls (time to first byte), one sweep's regression detection and
 * every dashboard SQL query, each repeated {@code repeats} times (a slow query fewer).
 */
final class AnalysisBench {
    static final List<Integer> GAPS = List.of(1, 5, 10, 20, 50);
    static final int ITERATIONS = 10;

    private final Api admin;
    private final Peers.Cluster cluster;
    private final String database;
    private final int repeats;

    AnalysisBench(Api admin, Peers.Cluster cluster, String database, int repeats) {
        this.admin = admin;
        this.cluster = cluster;
        this.database = database;
        this.repeats = repeats;
    }

    static String kernel(int n) {
        return "sim:6.12." + n;
    }

    /** Generates the history; returns the number of kernels (10 series each). */
    int generate(long measurements, int series) throws Exception {
        int kernels = series / 10;
        long runsPerSeries = measurements / series / ITERATIONS;
        try (Connection c = cluster.connect(database); Statement s = c.createStatement()) {
            s.execute("""
                    INSERT INTO series (kernel_release, variant, gap_ms, backend)
                    SELECT 'sim:6.12.' || k, v, g, 'sim'
                    FROM generate_series(1, %d) k, unnest(ARRAY['clock-realtime', 'clock-frozen']) v,
                         unnest(ARRAY[1, 5, 10, 20, 50]) g""".formatted(kernels));
            s.execute("""
                    CREATE TEMP TABLE bench_series AS
                    SELECT id, kernel_release, variant, gap_ms, (row_number() OVER (ORDER BY id) - 1)::int AS i FROM series
                    WHERE kernel_release LIKE 'sim:6.12.%' AND backend = 'sim'""");
            s.execute("CREATE INDEX ON bench_series (i)");
            long base;
            try (ResultSet rs = s.executeQuery("SELECT coalesce(max(id), 0) + 1 FROM runs")) {
                rs.next();
                base = rs.getLong(1);
            }
            // run r of series i: id base + i * R + r, finished at an even spread over the last 7 days
            s.execute("""
                    INSERT INTO runs (id, state, verdict, variant, gap_ms, iterations, expected_verdict, agent_name,
                                      kernel_release, backend, attempts, max_attempts, created_at, started_at, finished_at)
                    SELECT %1$d + b.i * %2$d + r, 'COMPLETED',
                           CASE WHEN b.variant = 'clock-realtime' THEN 'PASS' ELSE 'FAIL' END,
                           b.variant, b.gap_ms, %3$d, CASE WHEN b.variant = 'clock-realtime' THEN 'PASS' ELSE 'FAIL' END,
                           'bench-history', b.kernel_release, 'sim', 1, 3, t, t, t
                    FROM bench_series b, generate_series(0, %2$d - 1) r,
                         LATERAL (SELECT now() - interval '7 days' + (r + b.i::float / %4$d) / %2$d * interval '7 days' AS t) x
                    """.formatted(base, runsPerSeries, ITERATIONS, series));
            s.execute("SELECT setval('runs_id_seq', (SELECT max(id) FROM runs))");
            // In index order (series, then time), and without the per-row foreign key checks (this session only:
            // the rows reference the runs and series just made); row by row checks made 10 million take > 10 min.
            s.execute("SET session_replication_role = replica");
            s.execute("""
                    INSERT INTO measurements (run_id, iteration, saved_runnable_ns, restored_runnable_ns, steal_delta_ns,
                                              guest_area_runnable_ns, gap_low_ns, gap_high_ns, host_run_delay_ns,
                                              error_ns, within_bracket, pass, create_ns, save_ns, restore_ns, run_ns,
                                              series_id, measured_at)
                    SELECT r.id, it, 1000000, 1000000 + d, d, 1000000 + d, g, g + 200000, 20000,
                           d - (g + 100000), abs(d - (g + 100000)) < 1000000, d >= g,
                           300000, 40000, 40000, 60000, b.id, r.finished_at
                    FROM generate_series(0, %3$d - 1) i
                    CROSS JOIN LATERAL (SELECT * FROM bench_series WHERE bench_series.i = i.i) b
                    CROSS JOIN generate_series(0, %4$d - 1) rr
                    CROSS JOIN LATERAL (SELECT * FROM runs WHERE id = %2$d + b.i * %4$d + rr) r
                    CROSS JOIN generate_series(1, %1$d) it
                    CROSS JOIN LATERAL (SELECT b.gap_ms * 1000000::bigint AS g) gg
                    CROSS JOIN LATERAL (SELECT CASE WHEN b.variant = 'clock-realtime'
                                                    THEN g + 100000 + ((random() - 0.5) * 200000)::bigint
                                                    ELSE 50000 + (random() * 100000)::bigint END AS d) dd
                    """.formatted(ITERATIONS, base, series, runsPerSeries));
            s.execute("RESET session_replication_role");
            s.execute("VACUUM ANALYZE runs");
            s.execute("VACUUM ANALYZE measurements");
            s.execute("VACUUM ANALYZE series");
        }
        return kernels;
    }

    /** p50/p95/max of each API call, by time to first byte. */
    Map<String, Map<String, Object>> api(int kernels) {
        String a = kernel(kernels / 2), b = kernel(kernels / 2 + 1);
        Map<String, String> calls = new LinkedHashMap<>();
        calls.put("GET /api/v1/compare (base, head: 10 series each)", "/api/v1/compare?base=" + a + "&head=" + b);
        calls.put("GET /api/v1/compare (one series)", "/api/v1/compare?base=" + a + "&head=" + b + "&variant=clock-realtime&gapMs=10");
        calls.put("GET /api/v1/series (first page of 50: statistics)", "/api/v1/series?size=50");
        calls.put("GET /api/v1/series?kernel= (10 series)", "/api/v1/series?kernel=" + a);
        calls.put("GET /api/v1/series/points (one series over time)",
                "/api/v1/series/points?kernel=" + a + "&variant=clock-realtime&gapMs=10");
        calls.put("GET /api/v1/runs?size=20", "/api/v1/runs?size=20");
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        for (var call : calls.entrySet()) {
            Latencies l = new Latencies();
            admin.getOk(call.getValue()); // warm-up
            for (int i = 0; i < repeats; i++) {
                Api.Timed t = admin.get(call.getValue());
                if (t.status() != 200) {
                    throw new IllegalStateException(call.getValue() + " answered " + t.status() + ": " + t.body());
                }
                l.add(t.firstByteNs());
            }
            out.put(call.getKey(), l.summary());
        }
        return out;
    }

    /**
     * A sweep of a new kernel (both variants, the 5 gaps) against the previous kernel's stored series as baseline:
     * an agent executes its runs; the time from the analysis' start (sweep_analyses.analysed_at) to its commit.
     */
    Map<String, Object> sweepAnalysis(Path home, int kernels) throws Exception {
        int sweeps = Math.max(3, repeats / 4);
        List<TargetInfo> targets = new ArrayList<>();
        for (int i = 1; i <= sweeps; i++) {
            targets.add(new TargetInfo("sim", kernel(kernels + i), null, null));
        }
        QueueBench.BenchAgent agent = QueueBench.register(admin, home, "sweeper", 1, targets).get(0);
        Latencies analysis = new Latencies();
        for (int i = 1; i <= sweeps; i++) {
            JsonNode sweep = admin.postOk("/api/v1/sweeps", Map.of(
                    "matrix", Map.of("kernels", List.of(kernel(kernels + i)), "backend", "sim",
                            "variants", List.of("clock-realtime", "clock-frozen"), "gapsMs", GAPS,
                            "iterations", ITERATIONS),
                    "baseline", Map.of("kernel", kernel(kernels))));
            long sweepId = sweep.path("id").asLong();
            for (int run = 0; run < 2 * GAPS.size(); run++) {
                var lease = agent.client().lease(agent.id(), Duration.ofSeconds(20))
                        .orElseThrow(() -> new IllegalStateException("sweep " + sweepId + ": a run not leased within 20 s"));
                agent.client().heartbeat(lease.token(), 0, null);
                agent.client().result(lease.token(), QueueBench.execute(lease.run()));
            }
            analysis.add(awaitAnalysis(sweepId));
        }
        Map<String, Object> out = new LinkedHashMap<>(analysis.summary());
        out.put("sweeps", sweeps);
        return out;
    }

    private long awaitAnalysis(long sweepId) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        try (Connection c = cluster.connect(database); Statement s = c.createStatement()) {
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = s.executeQuery("SELECT analysed_at, clock_timestamp() FROM sweep_analyses WHERE sweep_id = "
                        + sweepId + " AND summary <> 'analysing'")) {
                    if (rs.next()) {
                        Timestamp started = rs.getTimestamp(1), seen = rs.getTimestamp(2);
                        return Duration.between(started.toInstant(), seen.toInstant()).toNanos();
                    }
                }
                Thread.sleep(2);
            }
        }
        throw new IllegalStateException("sweep " + sweepId + " was not analysed within 5 min");
    }

    /** Every SQL query of the dashboards, over the dashboards' default range (7 days), variables at "All". */
    Map<String, Map<String, Object>> dashboards() throws Exception {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        try (Connection c = cluster.connect(database)) {
            try (Statement s = c.createStatement()) {
                s.execute("SET statement_timeout = '30s'"); // as Grafana's role (config/grafana/postgres-readonly-role.sql)
            }
            for (Path dashboard : GrafanaConfig.dashboards()) {
                Map<String, List<String>> values = new HashMap<>();
                Set<String> singleValued = new HashSet<>();
                for (var e : GrafanaConfig.variables(GrafanaConfig.read(dashboard)).entrySet()) {
                    JsonNode v = e.getValue();
                    if (!v.path("multi").asBoolean(false) && !v.path("includeAll").asBoolean(false)) {
                        singleValued.add(e.getKey());
                    }
                    switch (v.path("type").asString()) {
                        case "custom" -> values.put(e.getKey(), GrafanaConfig.customValues(v));
                        case "textbox" -> { }
                        default -> {
                            List<String> found = new ArrayList<>();
                            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(v.path("query").asString())) {
                                while (rs.next()) {
                                    found.add(rs.getString(1));
                                }
                            }
                            values.put(e.getKey(), GrafanaConfig.selected(v, found));
                        }
                    }
                }
                for (GrafanaConfig.Query q : GrafanaConfig.sql(dashboard)) {
                    String sql = GrafanaConfig.substituteSql(q.text(), values, singleValued, "now() - interval '7 days'", "now()");
                    Latencies l = new Latencies();
                    long spent = 0;
                    // the first is a warm-up; a slow query is repeated at least 3 times, and no more once 15 s are spent
                    for (int i = 0; i <= repeats && (i <= 3 || spent < 15_000_000_000L); i++) {
                        long t0 = System.nanoTime();
                        boolean timedOut = false;
                        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                            while (rs.next()) {
                                // Grafana reads every row
                            }
                        } catch (SQLException e) {
                            if (!"57014".equals(e.getSQLState())) {
                                throw e;
                            }
                            timedOut = true; // Grafana would show the error: counted at the 30 s it took
                        }
                        long took = System.nanoTime() - t0;
                        if (timedOut) {
                            l.add(took);
                            break;
                        }
                        if (i > 0) {
                            l.add(took);
                            spent += took;
                        }
                    }
                    out.put(q.where(), l.summary());
                }
            }
        }
        return out;
    }
}
