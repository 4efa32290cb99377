package io.gapwatch.server.regressions;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/** The sweep_analyses table: which completed sweeps the analysis has looked at. */
@Repository
public class SweepAnalysisRepository {
    private final JdbcClient jdbc;

    public SweepAnalysisRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Claims a sweep for analysis; false if another replica (or an earlier call) already has. */
    public boolean claim(long sweepId, Instant now) {
        return jdbc.sql("""
                        INSERT INTO sweep_analyses (sweep_id, analysed_at, summary) VALUES (:id, :now, 'analysing')
                        ON CONFLICT (sweep_id) DO NOTHING""")
                .param("id", sweepId).param("now", now.atOffset(ZoneOffset.UTC)).update() == 1;
    }

    public void summarise(long sweepId, String summary) {
        jdbc.sql("UPDATE sweep_analyses SET summary = :summary WHERE sweep_id = :id")
                .param("id", sweepId).param("summary", summary).update();
    }

    /** Completed sweeps not analysed yet (their event was missed: no server was listening), oldest first. */
    public List<Long> unanalysed(int limit) {
        return jdbc.sql("""
                        SELECT s.id FROM sweeps s
                        WHERE s.state = 'COMPLETED'
                          AND NOT EXISTS (SELECT 1 FROM sweep_analyses a WHERE a.sweep_id = s.id)
                        ORDER BY s.id LIMIT :limit""")
                .param("limit", limit).query(Long.class).list();
    }
}
