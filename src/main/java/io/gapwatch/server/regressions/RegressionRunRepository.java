package io.gapwatch.server.regressions;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.util.Collection;
import java.util.List;

/** The regression_runs table: the runs that are each regression's evidence. */
@Repository
public class RegressionRunRepository {
    private final JdbcClient jdbc;

    public RegressionRunRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public void add(long regressionId, Collection<Long> runIds, EvidenceRole role) {
        for (long runId : runIds) {
            jdbc.sql("""
                            INSERT INTO regression_runs (regression_id, run_id, role) VALUES (:regression, :run, :role)
                            ON CONFLICT (regression_id, run_id) DO NOTHING""")
                    .param("regression", regressionId).param("run", runId).param("role", role.id()).update();
        }
    }

    public List<Evidence> forRegression(long regressionId) {
        return jdbc.sql("SELECT run_id, role FROM regression_runs WHERE regression_id = :id ORDER BY run_id")
                .param("id", regressionId)
                .query((rs, i) -> new Evidence(rs.getLong("run_id"), EvidenceRole.fromId(rs.getString("role"))))
                .list();
    }
}
