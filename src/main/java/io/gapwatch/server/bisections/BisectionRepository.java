package io.gapwatch.server.bisections;

import io.gapwatch.cli.Json;
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

/** The bisections table. */
@Repository
public class BisectionRepository {
    private static final RowMapper<Bisection> ROW = BisectionRepository::map;

    private final JdbcClient jdbc;

    public BisectionRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Bisection insert(String good, String bad, String variant, int gapMs, String backend, int iterations,
                            List<String> kernels, Long regressionId, Instant now) {
        return jdbc.sql("""
                        INSERT INTO bisections (state, good_kernel, bad_kernel, variant, gap_ms, backend, iterations,
                                                kernels, good_index, bad_index, regression_id, created_at)
                        VALUES ('RUNNING', :good, :bad, :variant, :gapMs, :backend, :iterations,
                                CAST(:kernels AS jsonb), 0, :badIndex, :regressionId, :now)
                        RETURNING *""")
                .param("good", good).param("bad", bad).param("variant", variant).param("gapMs", gapMs)
                .param("backend", backend).param("iterations", iterations)
                .param("kernels", Json.MAPPER.writeValueAsString(kernels))
                .param("badIndex", kernels.size() - 1)
                .param("regressionId", regressionId)
                .param("now", ts(now))
                .query(ROW).single();
    }

    public Optional<Bisection> find(long id) {
        return jdbc.sql("SELECT * FROM bisections WHERE id = :id").param("id", id).query(ROW).optional();
    }

    public List<Bisection> list(BisectionState state, int page, int size) {
        return jdbc.sql("""
                        SELECT * FROM bisections WHERE CAST(:state AS text) IS NULL OR state = :state
                        ORDER BY id DESC LIMIT :limit OFFSET :offset""")
                .param("state", state == null ? null : state.name())
                .param("limit", size).param("offset", (long) page * size)
                .query(ROW).list();
    }

    public long count(BisectionState state) {
        return jdbc.sql("SELECT count(*) FROM bisections WHERE CAST(:state AS text) IS NULL OR state = :state")
                .param("state", state == null ? null : state.name())
                .query(Long.class).single();
    }

    /** Running bisections nobody else is advancing right now, locked until the transaction ends. */
    public List<Bisection> lockRunning() {
        return jdbc.sql("SELECT * FROM bisections WHERE state = 'RUNNING' ORDER BY id FOR UPDATE SKIP LOCKED")
                .query(ROW).list();
    }

    public Optional<Bisection> latestForRegression(long regressionId) {
        return jdbc.sql("SELECT * FROM bisections WHERE regression_id = :id ORDER BY id DESC LIMIT 1")
                .param("id", regressionId).query(ROW).optional();
    }

    public void narrow(long id, int goodIndex, int badIndex) {
        jdbc.sql("UPDATE bisections SET good_index = :good, bad_index = :bad WHERE id = :id")
                .param("id", id).param("good", goodIndex).param("bad", badIndex).update();
    }

    public void found(long id, String firstBad, Instant now) {
        jdbc.sql("UPDATE bisections SET state = 'FOUND', first_bad = :firstBad, finished_at = :now WHERE id = :id")
                .param("id", id).param("firstBad", firstBad).param("now", ts(now)).update();
    }

    /** Only untestable kernels were left: the first bad is one of {@code candidates}. */
    public void ambiguous(long id, List<String> candidates, String reason, Instant now) {
        jdbc.sql("""
                        UPDATE bisections SET state = 'AMBIGUOUS', first_bad_candidates = CAST(:candidates AS jsonb),
                                              reason = :reason, finished_at = :now
                        WHERE id = :id""")
                .param("id", id).param("candidates", Json.MAPPER.writeValueAsString(candidates))
                .param("reason", reason).param("now", ts(now)).update();
    }

    public void fail(long id, String reason, Instant now) {
        jdbc.sql("UPDATE bisections SET state = 'FAILED', reason = :reason, finished_at = :now WHERE id = :id")
                .param("id", id).param("reason", reason).param("now", ts(now)).update();
    }

    private static Bisection map(ResultSet rs, int row) throws SQLException {
        return new Bisection(rs.getLong("id"), BisectionState.valueOf(rs.getString("state")),
                rs.getString("good_kernel"), rs.getString("bad_kernel"), rs.getString("variant"), rs.getInt("gap_ms"),
                rs.getString("backend"), rs.getInt("iterations"),
                List.of(Json.MAPPER.readValue(rs.getString("kernels"), String[].class)),
                rs.getInt("good_index"), rs.getInt("bad_index"), rs.getString("first_bad"),
                List.of(Json.MAPPER.readValue(rs.getString("first_bad_candidates"), String[].class)), rs.getString("reason"),
                rs.getObject("regression_id", Long.class), instant(rs, "created_at"), instant(rs, "finished_at"));
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    static OffsetDateTime ts(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }
}
