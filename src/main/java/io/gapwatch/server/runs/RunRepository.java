package io.gapwatch.server.runs;

import io.gapwatch.probe.ClockPath;
import io.gapwatch.probe.ErrorKind;
import io.gapwatch.probe.ProbeReport;
import io.gapwatch.probe.Variant;
import io.gapwatch.probe.Verdict;
import io.gapwatch.server.agents.TargetRepository;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The runs table: the queue itself. Every statement that moves a run between states is here. */
@Repository
public class RunRepository {
    private static final RowMapper<Run> ROW = RunRepository::map;
    private static final int INSERT_CHUNK = 500;
    private static final String SERVES = TargetRepository.serves("t.kernel_release", "r.requested_kernel");
    private static final String LEASED_KERNEL = TargetRepository.leasedKernel("t.kernel_release", "r.requested_kernel");

    private final JdbcClient jdbc;

    public RunRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Run insert(NewRun run, Instant now) {
        return jdbc.sql("""
                        INSERT INTO runs (state, variant, gap_ms, iterations, strict, expected_verdict,
                                          requested_agent, requested_kernel, requested_backend, max_attempts, created_at)
                        VALUES ('QUEUED', :variant, :gapMs, :iterations, :strict, :expected,
                                :agent, :kernel, :backend, :maxAttempts, :now)
                        RETURNING *""")
                .param("variant", run.variant().id())
                .param("gapMs", run.gapMs())
                .param("iterations", run.iterations())
                .param("strict", run.strict())
                .param("expected", run.variant().expectedVerdict().name())
                .param("agent", run.target().agent())
                .param("kernel", run.target().kernelRelease())
                .param("backend", run.target().backend())
                .param("maxAttempts", run.maxAttempts())
                .param("now", ts(now))
                .query(ROW).single();
    }

    /**
     * Queues a sweep's runs, in the given order, in statements of {@value #INSERT_CHUNK} rows (a sweep may have
     * thousands; one statement per run would be one round trip each).
     */
    public void insertForSweep(List<NewRun> newRuns, long sweepId, Instant now) {
        for (int from = 0; from < newRuns.size(); from += INSERT_CHUNK) {
            List<NewRun> chunk = newRuns.subList(from, Math.min(newRuns.size(), from + INSERT_CHUNK));
            StringBuilder sql = new StringBuilder("""
                    INSERT INTO runs (state, variant, gap_ms, iterations, strict, expected_verdict, requested_agent,
                                      requested_kernel, requested_backend, max_attempts, created_at, sweep_id)
                    VALUES""");
            List<Object> params = new ArrayList<>();
            for (int i = 0; i < chunk.size(); i++) {
                NewRun run = chunk.get(i);
                sql.append(i == 0 ? " " : ", ").append("('QUEUED', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
                params.addAll(java.util.Arrays.asList(run.variant().id(), run.gapMs(), run.iterations(), run.strict(),
                        run.variant().expectedVerdict().name(), run.target().agent(), run.target().kernelRelease(),
                        run.target().backend(), run.maxAttempts(), ts(now), sweepId));
            }
            jdbc.sql(sql.toString()).params(params).update();
        }
    }

    /** Every run of a sweep, oldest first. */
    public List<Run> forSweep(long sweepId) {
        return jdbc.sql("SELECT * FROM runs WHERE sweep_id = :sweepId ORDER BY id").param("sweepId", sweepId).query(ROW).list();
    }

    /** How many runs of a sweep are in each cell (requested kernel, variant, gap), state and verdict. */
    public List<RunCount> countsForSweep(long sweepId) {
        return jdbc.sql("""
                        SELECT requested_kernel, variant, gap_ms, coalesce(backend, requested_backend) AS backend,
                               state, verdict, count(*) AS runs
                        FROM runs WHERE sweep_id = :sweepId
                        GROUP BY 1, 2, 3, 4, 5, 6""")
                .param("sweepId", sweepId)
                .query((rs, i) -> {
                    String verdict = rs.getString("verdict");
                    return new RunCount(rs.getString("requested_kernel"), Variant.fromId(rs.getString("variant")),
                            rs.getInt("gap_ms"), rs.getString("backend"), RunState.valueOf(rs.getString("state")),
                            verdict == null ? null : Verdict.valueOf(verdict), rs.getLong("runs"));
                })
                .list();
    }

    /** Cancels every unfinished run of a sweep; returns them as they were before. */
    public List<Run> cancelUnfinishedOfSweep(long sweepId, Instant now) {
        return jdbc.sql("""
                        WITH unfinished AS (
                            SELECT * FROM runs WHERE sweep_id = :sweepId AND state IN ('QUEUED', 'LEASED', 'RUNNING')
                            FOR UPDATE),
                        cancelled AS (
                            UPDATE runs r SET state = 'CANCELLED', finished_at = :now, lease_token = NULL,
                                              lease_agent_id = NULL, lease_expires_at = NULL
                            FROM unfinished u WHERE r.id = u.id)
                        SELECT * FROM unfinished ORDER BY id""")
                .param("sweepId", sweepId).param("now", ts(now))
                .query(ROW).list();
    }

    public Optional<Run> find(long id) {
        return jdbc.sql("SELECT * FROM runs WHERE id = :id").param("id", id).query(ROW).optional();
    }

    /** The run a lease token belongs to, locked until the transaction ends. */
    public Optional<Run> lockByLeaseToken(long token) {
        return jdbc.sql("SELECT * FROM runs WHERE lease_token = :token FOR UPDATE")
                .param("token", token).query(ROW).optional();
    }

    public Optional<Run> lock(long id) {
        return jdbc.sql("SELECT * FROM runs WHERE id = :id FOR UPDATE").param("id", id).query(ROW).optional();
    }

    public List<Run> list(RunFilter filter, int page, int size) {
        Where where = where(filter);
        var spec = jdbc.sql("SELECT * FROM runs" + where.sql + " ORDER BY id DESC LIMIT :limit OFFSET :offset");
        where.bind(spec);
        return spec.param("limit", size).param("offset", (long) page * size).query(ROW).list();
    }

    public long count(RunFilter filter) {
        Where where = where(filter);
        var spec = jdbc.sql("SELECT count(*) FROM runs" + where.sql);
        where.bind(spec);
        return spec.query(Long.class).single();
    }

    /**
     * Leases the oldest queued run that one of the agent's targets can serve, on the first of them (in the order
     * the agent registered them) that does. SKIP LOCKED lets any number of servers lease concurrently without
     * two of them taking the same run. Unpinned runs and runs
     * pinned to this agent are looked up apart, each through the runs_queued_by_agent index, so runs pinned to
     * other agents are never scanned (each branch may lock one row; the unused one is released at commit).
     * No attempt is counted yet: the agent acknowledges the lease with its first heartbeat (see extendLease),
     * and a lease never acknowledged (the long poll's client was gone) expires at {@code expiresAt} for free.
     */
    public Optional<Run> leaseNext(long agentId, String agentName, Instant expiresAt) {
        return jdbc.sql("""
                        WITH unpinned AS (
                            SELECT r.id, $LEASED_KERNEL AS kernel_release, t.backend, t.cpu_model, t.accelerator
                            FROM runs r
                            JOIN targets t ON t.agent_id = :agentId
                                 AND (r.requested_backend IS NULL OR r.requested_backend = t.backend)
                                 AND $SERVES
                            WHERE r.state = 'QUEUED' AND r.requested_agent IS NULL
                            ORDER BY r.id, t.id
                            LIMIT 1
                            FOR UPDATE OF r SKIP LOCKED),
                        pinned AS (
                            SELECT r.id, $LEASED_KERNEL AS kernel_release, t.backend, t.cpu_model, t.accelerator
                            FROM runs r
                            JOIN targets t ON t.agent_id = :agentId
                                 AND (r.requested_backend IS NULL OR r.requested_backend = t.backend)
                                 AND $SERVES
                            WHERE r.state = 'QUEUED' AND r.requested_agent = :agentName
                            ORDER BY r.id, t.id
                            LIMIT 1
                            FOR UPDATE OF r SKIP LOCKED),
                        candidate AS (
                            SELECT * FROM unpinned UNION ALL SELECT * FROM pinned
                            ORDER BY id
                            LIMIT 1)
                        UPDATE runs SET state = 'LEASED',
                                        lease_token = nextval('lease_tokens'), lease_agent_id = :agentId,
                                        lease_expires_at = :expiresAt, agent_name = :agentName,
                                        kernel_release = c.kernel_release, backend = c.backend,
                                        cpu_model = c.cpu_model, accelerator = c.accelerator
                        FROM candidate c
                        WHERE runs.id = c.id
                        RETURNING runs.*""".replace("$SERVES", SERVES).replace("$LEASED_KERNEL", LEASED_KERNEL))
                .param("agentId", agentId)
                .param("agentName", agentName)
                .param("expiresAt", ts(expiresAt))
                .query(ROW).optional();
    }

    /**
     * Of the given agents, those with a queued run one of their targets can serve: the one query a server's
     * lease dispatcher makes for all its waiting agents, instead of one per agent.
     */
    public List<Long> agentsWithWork(List<Long> agentIds) {
        if (agentIds.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("""
                        SELECT DISTINCT t.agent_id
                        FROM targets t JOIN agents a ON a.id = t.agent_id
                        WHERE t.agent_id IN (:agentIds)
                          AND EXISTS (SELECT 1 FROM runs r
                                      WHERE r.state = 'QUEUED'
                                        AND (r.requested_agent IS NULL OR r.requested_agent = a.name)
                                        AND (r.requested_backend IS NULL OR r.requested_backend = t.backend)
                                        AND $SERVES)""".replace("$SERVES", SERVES))
                .param("agentIds", agentIds)
                .query(Long.class).list();
    }

    /**
     * Extends a live lease and marks the run RUNNING, recording how many iterations are done (null: unchanged);
     * empty if the token is stale or the lease has expired. The first heartbeat acknowledges the lease: the
     * attempt counts from here.
     */
    public Optional<Instant> extendLease(long token, Instant now, Instant expiresAt, Integer iterationsDone,
                                         String progress) {
        return jdbc.sql("""
                        UPDATE runs SET lease_expires_at = :expiresAt, state = 'RUNNING',
                                        attempts = CASE WHEN state = 'LEASED' THEN attempts + 1 ELSE attempts END,
                                        started_at = coalesce(started_at, :now),
                                        iterations_done = coalesce(:done, iterations_done), progress = :progress
                        WHERE lease_token = :token AND state IN ('LEASED', 'RUNNING') AND lease_expires_at >= :now
                        RETURNING lease_expires_at""")
                .param("token", token)
                .param("now", ts(now))
                .param("expiresAt", ts(expiresAt))
                .param("done", iterationsDone)
                .param("progress", progress)
                .query((rs, i) -> instant(rs, "lease_expires_at")).optional();
    }

    /**
     * Ends every lease that expired before {@code now}: the run goes back to the queue while it has
     * attempts left, else it is COMPLETED with verdict ERROR. A lease never acknowledged (still LEASED) counted
     * no attempt, so its run always goes back. Returns the runs as they were before.
     */
    public List<Run> expireLeases(Instant now) {
        return jdbc.sql("""
                        WITH expired AS (
                            SELECT * FROM runs
                            WHERE state IN ('LEASED', 'RUNNING') AND lease_expires_at < :now
                            FOR UPDATE SKIP LOCKED),
                        updated AS (
                            UPDATE runs r SET
                                state = CASE WHEN e.attempts < e.max_attempts THEN 'QUEUED' ELSE 'COMPLETED' END,
                                verdict = CASE WHEN e.attempts < e.max_attempts THEN NULL ELSE 'ERROR' END,
                                error = CASE WHEN e.attempts < e.max_attempts THEN NULL
                                        ELSE 'lease expired ' || e.attempts || ' times (last on agent ' || e.agent_name
                                             || '): no agent finished this run' END,
                                error_kind = CASE WHEN e.attempts < e.max_attempts THEN NULL ELSE 'INFRASTRUCTURE' END,
                                iterations_done = 0, progress = NULL,
                                finished_at = CASE WHEN e.attempts < e.max_attempts THEN NULL ELSE :now END,
                                lease_token = NULL, lease_agent_id = NULL, lease_expires_at = NULL
                            FROM expired e
                            WHERE r.id = e.id)
                        SELECT * FROM expired ORDER BY id""")
                .param("now", ts(now))
                .query(ROW).list();
    }

    /**
     * Records the verdict of a leased run; the lease token stays, so a repeated delivery is recognised. The
     * kernel and backend stay those of the leased target (the caller checked the report names them).
     */
    public void complete(long id, ProbeReport report, Instant now) {
        jdbc.sql("""
                        UPDATE runs SET state = 'COMPLETED', verdict = :verdict, skip_reason = :skipReason, error = :error,
                                        attempts = CASE WHEN state = 'LEASED' THEN attempts + 1 ELSE attempts END,
                                        clock_path = :clockPath,
                                        error_kind = :errorKind, iterations_done = :done,
                                        accelerator = coalesce(:accelerator, accelerator),
                                        cpu_model = coalesce(:cpuModel, cpu_model),
                                        started_at = coalesce(started_at, :now), finished_at = :now,
                                        lease_expires_at = NULL, progress = NULL, build_seconds = :buildSeconds,
                                        build_reused = :buildReused, build_log_path = :buildLog
                        WHERE id = :id""")
                .param("id", id)
                .param("verdict", report.verdict().name())
                .param("skipReason", report.skipReason())
                .param("error", report.error())
                .param("clockPath", report.clockPath() == null ? null : report.clockPath().id())
                .param("errorKind", report.verdict() != Verdict.ERROR ? null
                        : report.errorKind() == null ? ErrorKind.HARNESS.name() : report.errorKind().name())
                .param("done", report.measurements().size())
                .param("accelerator", report.target().accelerator())
                .param("cpuModel", report.target().cpuModel())
                .param("buildSeconds", report.build() == null ? null : report.build().seconds())
                .param("buildReused", report.build() == null ? null : report.build().reused())
                .param("buildLog", report.build() == null ? null : report.build().logPath())
                .param("now", ts(now))
                .update();
    }

    /** Runs waiting for an agent, and runs in an agent's hands (LEASED or RUNNING): the queue's depth now. */
    public QueueDepth queueDepth() {
        return jdbc.sql("""
                        SELECT count(*) FILTER (WHERE state = 'QUEUED') AS queued,
                               count(*) FILTER (WHERE state IN ('LEASED', 'RUNNING')) AS running
                        FROM runs WHERE state IN ('QUEUED', 'LEASED', 'RUNNING')""")
                .query((rs, row) -> new QueueDepth(rs.getLong("queued"), rs.getLong("running"))).single();
    }

    public record QueueDepth(long queued, long running) {
    }

    /** An attempt that ended in an infrastructure error: the run goes back to the queue, under no lease. */
    public void requeue(long id) {
        jdbc.sql("""
                        UPDATE runs SET state = 'QUEUED', lease_token = NULL, lease_agent_id = NULL,
                                        lease_expires_at = NULL, iterations_done = 0, progress = NULL,
                                        attempts = CASE WHEN state = 'LEASED' THEN attempts + 1 ELSE attempts END
                        WHERE id = :id""")
                .param("id", id).update();
    }

    public void cancel(long id, Instant now) {
        jdbc.sql("""
                        UPDATE runs SET state = 'CANCELLED', finished_at = :now, lease_token = NULL,
                                        lease_agent_id = NULL, lease_expires_at = NULL
                        WHERE id = :id""")
                .param("id", id).param("now", ts(now)).update();
    }

    private record Where(String sql, List<Object[]> params) {
        void bind(JdbcClient.StatementSpec spec) {
            params.forEach(p -> spec.param((String) p[0], p[1]));
        }
    }

    private static Where where(RunFilter f) {
        List<String> clauses = new ArrayList<>();
        List<Object[]> params = new ArrayList<>();
        if (f.state() != null) {
            clauses.add("state = :state");
            params.add(new Object[]{"state", f.state().name()});
        }
        if (f.verdict() != null) {
            clauses.add("verdict = :verdict");
            params.add(new Object[]{"verdict", f.verdict().name()});
        }
        if (f.kernel() != null) {
            clauses.add("coalesce(kernel_release, requested_kernel) = :kernel");
            params.add(new Object[]{"kernel", f.kernel()});
        }
        if (f.variant() != null) {
            clauses.add("variant = :variant");
            params.add(new Object[]{"variant", f.variant().id()});
        }
        if (f.sweep() != null) {
            clauses.add("sweep_id = :sweep");
            params.add(new Object[]{"sweep", f.sweep()});
        }
        if (f.agent() != null) {
            clauses.add("coalesce(agent_name, requested_agent) = :agent");
            params.add(new Object[]{"agent", f.agent()});
        }
        return new Where(clauses.isEmpty() ? "" : " WHERE " + String.join(" AND ", clauses), params);
    }

    private static Run map(ResultSet rs, int row) throws SQLException {
        String verdict = rs.getString("verdict");
        String clockPath = rs.getString("clock_path");
        return new Run(
                rs.getLong("id"),
                RunState.valueOf(rs.getString("state")),
                verdict == null ? null : Verdict.valueOf(verdict),
                Variant.fromId(rs.getString("variant")),
                rs.getInt("gap_ms"),
                rs.getInt("iterations"),
                rs.getBoolean("strict"),
                Verdict.valueOf(rs.getString("expected_verdict")),
                new RequestedTarget(rs.getString("requested_agent"), rs.getString("requested_kernel"),
                        rs.getString("requested_backend")),
                rs.getString("agent_name"),
                rs.getString("kernel_release"),
                rs.getString("backend"),
                rs.getString("accelerator"),
                rs.getString("cpu_model"),
                rs.getString("skip_reason"),
                rs.getString("error"),
                clockPath == null ? null : ClockPath.fromId(clockPath),
                rs.getString("error_kind") == null ? null : ErrorKind.valueOf(rs.getString("error_kind")),
                rs.getInt("iterations_done"),
                rs.getInt("attempts"),
                rs.getInt("max_attempts"),
                rs.getObject("lease_token", Long.class),
                instant(rs, "lease_expires_at"),
                instant(rs, "created_at"),
                instant(rs, "started_at"),
                instant(rs, "finished_at"),
                rs.getString("progress"),
                rs.getObject("build_seconds") == null ? null : new ProbeReport.Build(rs.getString("kernel_release"),
                        rs.getDouble("build_seconds"), rs.getBoolean("build_reused"), rs.getString("build_log_path")));
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    static OffsetDateTime ts(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }
}
