package io.gapwatch.server.runs;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.time.Instant;
import java.util.List;

/** The run_events table: the history of a run (leases, expiries, results accepted or refused). */
@Repository
public class RunEventRepository {
    private final JdbcClient jdbc;

    public RunEventRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public void record(long runId, Instant at, RunEvent.Kind kind, String detail) {
        jdbc.sql("INSERT INTO run_events (run_id, at, kind, detail) VALUES (:runId, :at, :kind, :detail)")
                .param("runId", runId)
                .param("at", RunRepository.ts(at))
                .param("kind", kind.name())
                .param("detail", detail)
                .update();
    }

    /** A CREATED event for every run of a new sweep, in one statement. */
    public void recordCreatedForSweep(long sweepId, Instant at) {
        jdbc.sql("""
                        INSERT INTO run_events (run_id, at, kind, detail)
                        SELECT id, :at, 'CREATED', 'queued by sweep ' || sweep_id || ' for {agent=any, kernel='
                               || requested_kernel || ', backend=' || coalesce(requested_backend, 'any') || '}'
                        FROM runs WHERE sweep_id = :sweepId ORDER BY id""")
                .param("sweepId", sweepId)
                .param("at", RunRepository.ts(at))
                .update();
    }

    public List<RunEvent> forRun(long runId) {
        return jdbc.sql("SELECT at, kind, detail FROM run_events WHERE run_id = :runId ORDER BY id")
                .param("runId", runId)
                .query((rs, i) -> new RunEvent(RunRepository.instant(rs, "at"),
                        RunEvent.Kind.valueOf(rs.getString("kind")), rs.getString("detail")))
                .list();
    }
}
