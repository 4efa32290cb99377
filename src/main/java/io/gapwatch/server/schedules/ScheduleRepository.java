package io.gapwatch.server.schedules;

import io.gapwatch.cli.Json;
import io.gapwatch.server.sweeps.Baseline;
import io.gapwatch.server.sweeps.Matrix;
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

/** The schedules table. */
@Repository
public class ScheduleRepository {
    private static final RowMapper<Schedule> ROW = ScheduleRepository::map;

    private final JdbcClient jdbc;

    public ScheduleRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Empty when the name is taken. */
    public Optional<Schedule> insert(String name, String cron, String timeZone, Matrix matrix, Baseline baseline,
                                     boolean enabled, Instant nextFireAt, Instant now) {
        return jdbc.sql("""
                        INSERT INTO schedules (name, cron, time_zone, matrix, baseline_kernel, baseline_previous_sweep,
                                               enabled, next_fire_at, created_at, updated_at)
                        VALUES (:name, :cron, :zone, CAST(:matrix AS jsonb), :baselineKernel, :previousSweep,
                                :enabled, :next, :now, :now)
                        ON CONFLICT (name) DO NOTHING
                        RETURNING *""")
                .param("name", name).param("cron", cron).param("zone", timeZone)
                .param("matrix", Json.MAPPER.writeValueAsString(matrix))
                .param("baselineKernel", baseline == null ? null : baseline.kernel())
                .param("previousSweep", baseline != null && baseline.previousSweep())
                .param("enabled", enabled).param("next", ts(nextFireAt)).param("now", ts(now))
                .query(ROW).optional();
    }

    /** Writes every field of {@code s}; false when another schedule has its name. */
    public boolean update(Schedule s) {
        return jdbc.sql("""
                        UPDATE schedules SET name = :name, cron = :cron, time_zone = :zone, matrix = CAST(:matrix AS jsonb),
                                             baseline_kernel = :baselineKernel, baseline_previous_sweep = :previousSweep,
                                             enabled = :enabled, next_fire_at = :next, updated_at = :updated
                        WHERE id = :id
                          AND NOT EXISTS (SELECT 1 FROM schedules o WHERE o.name = :name AND o.id <> :id)""")
                .param("id", s.id()).param("name", s.name()).param("cron", s.cron()).param("zone", s.timeZone())
                .param("matrix", Json.MAPPER.writeValueAsString(s.matrix()))
                .param("baselineKernel", s.baseline() == null ? null : s.baseline().kernel())
                .param("previousSweep", s.baseline() != null && s.baseline().previousSweep())
                .param("enabled", s.enabled()).param("next", ts(s.nextFireAt())).param("updated", ts(s.updatedAt()))
                .update() == 1;
    }

    public Optional<Schedule> find(long id) {
        return jdbc.sql("SELECT * FROM schedules WHERE id = :id").param("id", id).query(ROW).optional();
    }

    public Optional<Schedule> lock(long id) {
        return jdbc.sql("SELECT * FROM schedules WHERE id = :id FOR UPDATE").param("id", id).query(ROW).optional();
    }

    public List<Schedule> list() {
        return jdbc.sql("SELECT * FROM schedules ORDER BY id").query(ROW).list();
    }

    public boolean delete(long id) {
        return jdbc.sql("DELETE FROM schedules WHERE id = :id").param("id", id).update() == 1;
    }

    /**
     * The enabled schedule that has been due longest, locked until the transaction ends. SKIP LOCKED: a schedule
     * another server is firing right now is not this server's to fire.
     */
    public Optional<Schedule> lockNextDue(Instant now) {
        return jdbc.sql("""
                        SELECT * FROM schedules WHERE enabled AND next_fire_at <= :now
                        ORDER BY next_fire_at, id LIMIT 1
                        FOR UPDATE SKIP LOCKED""")
                .param("now", ts(now)).query(ROW).optional();
    }

    public void setNextFire(long id, Instant next) {
        jdbc.sql("UPDATE schedules SET next_fire_at = :next WHERE id = :id").param("id", id).param("next", ts(next)).update();
    }

    private static Schedule map(ResultSet rs, int row) throws SQLException {
        String baselineKernel = rs.getString("baseline_kernel");
        return new Schedule(
                rs.getLong("id"),
                rs.getString("name"),
                rs.getString("cron"),
                rs.getString("time_zone"),
                Json.MAPPER.readValue(rs.getString("matrix"), Matrix.class),
                baselineKernel != null ? Baseline.ofKernel(baselineKernel)
                        : rs.getBoolean("baseline_previous_sweep") ? Baseline.ofPreviousSweep() : null,
                rs.getBoolean("enabled"),
                instant(rs, "next_fire_at"),
                instant(rs, "created_at"),
                instant(rs, "updated_at"));
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    static OffsetDateTime ts(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }
}
