package io.gapwatch.server.schedules;

import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static io.gapwatch.server.schedules.ScheduleRepository.instant;
import static io.gapwatch.server.schedules.ScheduleRepository.ts;

/** The schedule_fires table: one row per due time a schedule fired for. */
@Repository
public class ScheduleFireRepository {
    private static final RowMapper<ScheduleFire> ROW = (rs, i) -> new ScheduleFire(rs.getLong("schedule_id"),
            instant(rs, "due_at"), instant(rs, "fired_at"), rs.getObject("sweep_id", Long.class), rs.getString("outcome"));

    private final JdbcClient jdbc;

    public ScheduleFireRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Claims a due time for this fire; false when it was already fired (by any server). */
    public boolean claim(long scheduleId, Instant dueAt, Instant firedAt) {
        return jdbc.sql("""
                        INSERT INTO schedule_fires (schedule_id, due_at, fired_at, outcome)
                        VALUES (:scheduleId, :dueAt, :firedAt, 'firing')
                        ON CONFLICT (schedule_id, due_at) DO NOTHING""")
                .param("scheduleId", scheduleId).param("dueAt", ts(dueAt)).param("firedAt", ts(firedAt))
                .update() == 1;
    }

    public ScheduleFire recordOutcome(long scheduleId, Instant dueAt, Long sweepId, String outcome) {
        return jdbc.sql("""
                        UPDATE schedule_fires SET sweep_id = :sweepId, outcome = :outcome
                        WHERE schedule_id = :scheduleId AND due_at = :dueAt
                        RETURNING *""")
                .param("scheduleId", scheduleId).param("dueAt", ts(dueAt)).param("sweepId", sweepId).param("outcome", outcome)
                .query(ROW).single();
    }

    public Optional<ScheduleFire> last(long scheduleId) {
        return jdbc.sql("SELECT * FROM schedule_fires WHERE schedule_id = :scheduleId ORDER BY due_at DESC LIMIT 1")
                .param("scheduleId", scheduleId).query(ROW).optional();
    }

    /** Every fire of a schedule, oldest due time first. */
    public List<ScheduleFire> forSchedule(long scheduleId) {
        return jdbc.sql("SELECT * FROM schedule_fires WHERE schedule_id = :scheduleId ORDER BY due_at")
                .param("scheduleId", scheduleId).query(ROW).list();
    }
}
