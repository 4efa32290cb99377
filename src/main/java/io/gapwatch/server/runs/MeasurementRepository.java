package io.gapwatch.server.runs;

import io.gapwatch.probe.Measurement;
import io.gapwatch.probe.Variant;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.time.Instant;
import java.util.List;

/** The measurements table: every iteration's numbers, kept forever. */
@Repository
public class MeasurementRepository {
    private final JdbcClient jdbc;

    public MeasurementRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Stores a run's measurements under their series (see {@code SeriesRepository}) and the time they were
     * recorded, which is what series queries select and order by.
     */
    public void insertAll(long runId, long seriesId, Instant measuredAt, List<Measurement> measurements) {
        for (Measurement m : measurements) {
            jdbc.sql("""
                            INSERT INTO measurements (run_id, iteration, saved_runnable_ns, restored_runnable_ns,
                                steal_delta_ns, guest_area_runnable_ns, gap_low_ns, gap_high_ns, host_run_delay_ns,
                                error_ns, within_bracket, pass, create_ns, save_ns, restore_ns, run_ns,
                                series_id, measured_at)
                            VALUES (:runId, :iteration, :saved, :restored, :steal, :guestArea, :low, :high, :runDelay,
                                    :error, :within, :pass, :create, :save, :restore, :run, :seriesId, :measuredAt)""")
                    .param("runId", runId)
                    .param("seriesId", seriesId)
                    .param("measuredAt", RunRepository.ts(measuredAt))
                    .param("iteration", m.iteration())
                    .param("saved", m.savedRunnableNs())
                    .param("restored", m.restoredRunnableNs())
                    .param("steal", m.stealDeltaNs())
                    .param("guestArea", m.guestAreaRunnableNs())
                    .param("low", m.gapLowNs())
                    .param("high", m.gapHighNs())
                    .param("runDelay", m.hostRunDelayNs())
                    .param("error", m.errorNs())
                    .param("within", m.withinBracket())
                    .param("pass", m.pass())
                    .param("create", m.createNs())
                    .param("save", m.saveNs())
                    .param("restore", m.restoreNs())
                    .param("run", m.runNs())
                    .update();
        }
    }

    public List<Measurement> forRun(long runId) {
        return jdbc.sql("SELECT * FROM measurements WHERE run_id = :runId ORDER BY iteration")
                .param("runId", runId)
                .query((rs, i) -> new Measurement(
                        rs.getInt("iteration"),
                        rs.getLong("saved_runnable_ns"),
                        rs.getLong("restored_runnable_ns"),
                        rs.getLong("steal_delta_ns"),
                        rs.getLong("guest_area_runnable_ns"),
                        rs.getLong("gap_low_ns"),
                        rs.getLong("gap_high_ns"),
                        rs.getObject("host_run_delay_ns", Long.class),
                        rs.getLong("error_ns"),
                        rs.getBoolean("within_bracket"),
                        rs.getBoolean("pass"),
                        rs.getLong("create_ns"),
                        rs.getLong("save_ns"),
                        rs.getLong("restore_ns"),
                        rs.getLong("run_ns")))
                .list();
    }

    /** Every measurement of a sweep's runs, with its cell. */
    public List<CellSample> forSweep(long sweepId) {
        return jdbc.sql("""
                        SELECT r.requested_kernel, r.variant, r.gap_ms, m.error_ns, m.pass, m.within_bracket
                        FROM runs r JOIN measurements m ON m.run_id = r.id
                        WHERE r.sweep_id = :sweepId""")
                .param("sweepId", sweepId)
                .query((rs, i) -> new CellSample(rs.getString("requested_kernel"), Variant.fromId(rs.getString("variant")),
                        rs.getInt("gap_ms"), rs.getLong("error_ns"), rs.getBoolean("pass"), rs.getBoolean("within_bracket")))
                .list();
    }
}
