package io.gapwatch.server.regressions;

import io.gapwatch.cli.Json;
import io.gapwatch.server.series.ComparisonView;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/** The regressions table. */
@Repository
public class RegressionRepository {
    private static final RowMapper<Regression> ROW = RegressionRepository::map;

    private final JdbcClient jdbc;

    public RegressionRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Regression insert(RegressionState state, RegressionKind kind, String kernel, String kernelSeries,
                             String variant, int gapMs, String backend, String baselineKernel, String lastGoodKernel,
                             int iterations, Long sweepId, ComparisonView comparison, String reason, Instant now) {
        return jdbc.sql("""
                        INSERT INTO regressions (state, kind, kernel_release, kernel_series, variant, gap_ms, backend,
                                                 baseline_kernel, last_good_kernel, iterations, sweep_id, comparison,
                                                 reason, first_seen_at, last_seen_at, declared_at)
                        VALUES (:state, :kind, :kernel, :series, :variant, :gapMs, :backend, :baseline, :lastGood,
                                :iterations, :sweepId, CAST(:comparison AS jsonb), :reason, :now, :now, :declaredAt)
                        RETURNING *""")
                .param("state", state.name()).param("kind", kind.id()).param("kernel", kernel)
                .param("series", kernelSeries).param("variant", variant).param("gapMs", gapMs)
                .param("backend", backend).param("baseline", baselineKernel).param("lastGood", lastGoodKernel)
                .param("iterations", iterations).param("sweepId", sweepId).param("comparison", json(comparison))
                .param("reason", reason).param("now", ts(now))
                .param("declaredAt", state == RegressionState.ACTIVE ? ts(now) : null)
                .query(ROW).single();
    }

    public Optional<Regression> find(long id) {
        return jdbc.sql("SELECT * FROM regressions WHERE id = :id").param("id", id).query(ROW).optional();
    }

    public Optional<Regression> lock(long id) {
        return jdbc.sql("SELECT * FROM regressions WHERE id = :id FOR UPDATE").param("id", id).query(ROW).optional();
    }

    /** The open regression of a kernel series, variant, gap and backend, locked (there is at most one). */
    public Optional<Regression> lockOpen(String kernelSeries, String variant, int gapMs, String backend) {
        return jdbc.sql("""
                        SELECT * FROM regressions
                        WHERE kernel_series = :series AND variant = :variant AND gap_ms = :gapMs AND backend = :backend
                          AND state IN ('SUSPECTED', 'ACTIVE', 'ACKNOWLEDGED')
                        FOR UPDATE""")
                .param("series", kernelSeries).param("variant", variant).param("gapMs", gapMs).param("backend", backend)
                .query(ROW).optional();
    }

    /** Regressions in a state that no other replica is working on right now, locked. */
    public List<Regression> lockInState(RegressionState state) {
        return jdbc.sql("SELECT * FROM regressions WHERE state = :state ORDER BY id FOR UPDATE SKIP LOCKED")
                .param("state", state.name()).query(ROW).list();
    }

    /** Every regression in a state, locked (waiting for a replica that holds one). */
    public List<Regression> lockAllInState(RegressionState state) {
        return jdbc.sql("SELECT * FROM regressions WHERE state = :state ORDER BY id FOR UPDATE")
                .param("state", state.name()).query(ROW).list();
    }

    public List<Regression> list(RegressionState state, int page, int size) {
        return jdbc.sql("""
                        SELECT * FROM regressions WHERE CAST(:state AS text) IS NULL OR state = :state
                        ORDER BY id DESC LIMIT :limit OFFSET :offset""")
                .param("state", state == null ? null : state.name())
                .param("limit", size).param("offset", (long) page * size)
                .query(ROW).list();
    }

    public long count(RegressionState state) {
        return jdbc.sql("SELECT count(*) FROM regressions WHERE CAST(:state AS text) IS NULL OR state = :state")
                .param("state", state == null ? null : state.name())
                .query(Long.class).single();
    }

    /**
     * Per kernel and variant that ever had a regression: how many are ACTIVE now (0 once fixed, so a dashboard
     * sees it end rather than vanish).
     */
    public List<ActiveCount> activeByKernelAndVariant() {
        return jdbc.sql("""
                        SELECT kernel_release, variant, count(*) FILTER (WHERE state = 'ACTIVE') AS active
                        FROM regressions GROUP BY kernel_release, variant ORDER BY kernel_release, variant""")
                .query((rs, row) -> new ActiveCount(rs.getString("kernel_release"), rs.getString("variant"), rs.getLong("active")))
                .list();
    }

    public record ActiveCount(String kernel, String variant, long active) {
    }

    /** Confirmed: ACTIVE from now, with the confirmation's numbers. */
    public void declare(long id, ComparisonView comparison, String reason, Instant now) {
        jdbc.sql("""
                        UPDATE regressions SET state = 'ACTIVE', comparison = CAST(:comparison AS jsonb), reason = :reason,
                                               declared_at = :now
                        WHERE id = :id""")
                .param("id", id).param("comparison", json(comparison)).param("reason", reason).param("now", ts(now))
                .update();
    }

    /** Ends a regression (DISMISSED, FIXED) with the reason. */
    public void resolve(long id, RegressionState state, String reason, Instant now) {
        jdbc.sql("UPDATE regressions SET state = :state, reason = :reason, resolved_at = :now WHERE id = :id")
                .param("id", id).param("state", state.name()).param("reason", reason).param("now", ts(now)).update();
    }

    public void acknowledge(long id, String reason) {
        jdbc.sql("UPDATE regressions SET state = 'ACKNOWLEDGED', acknowledged_reason = :reason WHERE id = :id")
                .param("id", id).param("reason", reason).update();
    }

    /** Seen again: last seen now, the clean streak broken. */
    public void seen(long id, Instant now) {
        jdbc.sql("UPDATE regressions SET last_seen_at = :now, clean_sweeps = 0 WHERE id = :id")
                .param("id", id).param("now", ts(now)).update();
    }

    public void clean(long id, int cleanSweeps) {
        jdbc.sql("UPDATE regressions SET clean_sweeps = :clean WHERE id = :id")
                .param("id", id).param("clean", cleanSweeps).update();
    }

    /** An earlier kernel of the series turned out bad (seen in a sweep, or named by a bisection). */
    public void moveTo(long id, String kernel, String lastGoodKernel) {
        jdbc.sql("UPDATE regressions SET kernel_release = :kernel, last_good_kernel = coalesce(:lastGood, last_good_kernel) WHERE id = :id")
                .param("id", id).param("kernel", kernel).param("lastGood", lastGoodKernel).update();
    }

    private static String json(ComparisonView comparison) {
        return comparison == null ? null : Json.MAPPER.writeValueAsString(comparison);
    }

    private static Regression map(ResultSet rs, int row) throws SQLException {
        String comparison = rs.getString("comparison");
        return new Regression(rs.getLong("id"), RegressionState.valueOf(rs.getString("state")),
                RegressionKind.fromId(rs.getString("kind")), rs.getString("kernel_release"),
                rs.getString("kernel_series"), rs.getString("variant"), rs.getInt("gap_ms"), rs.getString("backend"),
                rs.getString("baseline_kernel"), rs.getString("last_good_kernel"), rs.getInt("iterations"),
                rs.getObject("sweep_id", Long.class),
                comparison == null ? null : Json.MAPPER.readValue(comparison, ComparisonView.class),
                rs.getString("reason"), rs.getString("acknowledged_reason"), rs.getInt("clean_sweeps"),
                instant(rs, "first_seen_at"), instant(rs, "last_seen_at"), instant(rs, "declared_at"),
                instant(rs, "resolved_at"));
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    static OffsetDateTime ts(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }
}
