package io.gapwatch.server.bisections;

import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.time.Instant;
import java.util.List;

import static io.gapwatch.server.bisections.BisectionRepository.instant;
import static io.gapwatch.server.bisections.BisectionRepository.ts;

/** The bisection_steps table. */
@Repository
public class BisectionStepRepository {
    private static final RowMapper<BisectionStep> ROW = (rs, i) -> {
        String verdict = rs.getString("verdict");
        return new BisectionStep(rs.getLong("bisection_id"), rs.getInt("step"), rs.getString("kernel"),
                StepRole.fromId(rs.getString("role")), rs.getLong("run_id"), rs.getLong("verify_run_id"),
                verdict == null ? null : StepVerdict.fromId(verdict), rs.getString("detail"),
                instant(rs, "created_at"), instant(rs, "decided_at"));
    };

    private final JdbcClient jdbc;

    public BisectionStepRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public void insert(long bisectionId, int step, String kernel, StepRole role, long runId, long verifyRunId,
                       Instant now) {
        jdbc.sql("""
                        INSERT INTO bisection_steps (bisection_id, step, kernel, role, run_id, verify_run_id, created_at)
                        VALUES (:bisection, :step, :kernel, :role, :run, :verify, :now)""")
                .param("bisection", bisectionId).param("step", step).param("kernel", kernel)
                .param("role", role.id()).param("run", runId).param("verify", verifyRunId).param("now", ts(now))
                .update();
    }

    public List<BisectionStep> forBisection(long bisectionId) {
        return jdbc.sql("SELECT * FROM bisection_steps WHERE bisection_id = :id ORDER BY step")
                .param("id", bisectionId).query(ROW).list();
    }

    public void decide(long bisectionId, int step, StepVerdict verdict, String detail, Instant now) {
        jdbc.sql("""
                        UPDATE bisection_steps SET verdict = :verdict, detail = :detail, decided_at = :now
                        WHERE bisection_id = :bisection AND step = :step""")
                .param("bisection", bisectionId).param("step", step).param("verdict", verdict.id())
                .param("detail", detail).param("now", ts(now)).update();
    }
}
