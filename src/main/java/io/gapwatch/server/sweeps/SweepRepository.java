package io.gapwatch.server.sweeps;

import io.gapwatch.cli.Json;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The sweeps table. */
@Repository
public class SweepRepository {
    private static final RowMapper<Sweep> ROW = SweepRepository::map;

    private final JdbcClient jdbc;

    public SweepRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Sweep insert(Matrix matrix, List<String> kernels, List<UnservedCell> unserved, Baseline baseline,
                        Long scheduleId, Instant dueAt, Instant now) {
        return jdbc.sql("""
                        INSERT INTO sweeps (state, matrix, kernels, unserved, baseline_kernel, baseline_previous_sweep,
                                            schedule_id, due_at, created_at)
                        VALUES ('RUNNING', CAST(:matrix AS jsonb), CAST(:kernels AS jsonb), CAST(:unserved AS jsonb),
                                :baselineKernel, :previousSweep, :scheduleId, :dueAt, :now)
                        RETURNING *""")
                .param("matrix", Json.MAPPER.writeValueAsString(matrix))
                .param("kernels", Json.MAPPER.writeValueAsString(kernels))
                .param("unserved", Json.MAPPER.writeValueAsString(unserved))
                .param("baselineKernel", baseline == null ? null : baseline.kernel())
                .param("previousSweep", baseline != null && baseline.previousSweep())
                .param("scheduleId", scheduleId)
                .param("dueAt", ts(dueAt))
                .param("now", ts(now))
                .query(ROW).single();
    }

    public Optional<Sweep> find(long id) {
        return jdbc.sql("SELECT * FROM sweeps WHERE id = :id").param("id", id).query(ROW).optional();
    }

    public Optional<Sweep> lock(long id) {
        return jdbc.sql("SELECT * FROM sweeps WHERE id = :id FOR UPDATE").param("id", id).query(ROW).optional();
    }

    /** Newest first; a null filter means any. */
    public List<Sweep> list(SweepState state, Long scheduleId, int page, int size) {
        return jdbc.sql("""
                        SELECT * FROM sweeps
                        WHERE (CAST(:state AS text) IS NULL OR state = :state)
                          AND (CAST(:scheduleId AS bigint) IS NULL OR schedule_id = :scheduleId)
                        ORDER BY id DESC LIMIT :limit OFFSET :offset""")
                .param("state", state == null ? null : state.name())
                .param("scheduleId", scheduleId)
                .param("limit", size).param("offset", (long) page * size)
                .query(ROW).list();
    }

    public long count(SweepState state, Long scheduleId) {
        return jdbc.sql("""
                        SELECT count(*) FROM sweeps
                        WHERE (CAST(:state AS text) IS NULL OR state = :state)
                          AND (CAST(:scheduleId AS bigint) IS NULL OR schedule_id = :scheduleId)""")
                .param("state", state == null ? null : state.name())
                .param("scheduleId", scheduleId)
                .query(Long.class).single();
    }

    /** The completed sweep of the same schedule before this one: what a "previousSweep" baseline means. */
    public Optional<Sweep> previousOfSchedule(Sweep sweep) {
        if (sweep.scheduleId() == null) {
            return Optional.empty();
        }
        return jdbc.sql("""
                        SELECT * FROM sweeps WHERE schedule_id = :scheduleId AND id < :id AND state = 'COMPLETED'
                        ORDER BY id DESC LIMIT 1""")
                .param("scheduleId", sweep.scheduleId()).param("id", sweep.id())
                .query(ROW).optional();
    }

    /**
     * Completes every RUNNING sweep none of whose runs is unfinished any more, and returns their ids. Several
     * servers may run this at once: a row's update waits for the other's and then no longer matches, so each
     * sweep is completed, and returned, by exactly one of them.
     */
    public List<Long> completeFinished(Instant now) {
        return jdbc.sql("""
                        UPDATE sweeps s SET state = 'COMPLETED', finished_at = :now
                        WHERE s.state = 'RUNNING'
                          AND NOT EXISTS (SELECT 1 FROM runs r
                                          WHERE r.sweep_id = s.id AND r.state IN ('QUEUED', 'LEASED', 'RUNNING'))
                        RETURNING s.id""")
                .param("now", ts(now))
                .query(Long.class).list();
    }

    /** For each enabled schedule that has completed a sweep, when its latest completed sweep finished. */
    public Map<String, Instant> lastCompletedByEnabledSchedule() {
        Map<String, Instant> last = new LinkedHashMap<>();
        jdbc.sql("""
                        SELECT sc.name, max(s.finished_at) AS finished_at
                        FROM schedules sc JOIN sweeps s ON s.schedule_id = sc.id
                        WHERE sc.enabled AND s.state = 'COMPLETED'
                        GROUP BY sc.name ORDER BY sc.name""")
                .query((ResultSet rs) -> {
                    last.put(rs.getString("name"), instant(rs, "finished_at"));
                });
        return last;
    }

    public void cancel(long id, Instant now) {
        jdbc.sql("UPDATE sweeps SET state = 'CANCELLED', finished_at = :now WHERE id = :id")
                .param("id", id).param("now", ts(now)).update();
    }

    private static Sweep map(ResultSet rs, int row) throws SQLException {
        String baselineKernel = rs.getString("baseline_kernel");
        boolean previous = rs.getBoolean("baseline_previous_sweep");
        return new Sweep(
                rs.getLong("id"),
                SweepState.valueOf(rs.getString("state")),
                Json.MAPPER.readValue(rs.getString("matrix"), Matrix.class),
                Json.MAPPER.readValue(rs.getString("kernels"), new TypeReference<List<String>>() { }),
                Json.MAPPER.readValue(rs.getString("unserved"), new TypeReference<List<UnservedCell>>() { }),
                baselineKernel != null ? Baseline.ofKernel(baselineKernel) : previous ? Baseline.ofPreviousSweep() : null,
                rs.getObject("schedule_id", Long.class),
                instant(rs, "due_at"),
                instant(rs, "created_at"),
                instant(rs, "finished_at"));
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    static OffsetDateTime ts(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }
}
