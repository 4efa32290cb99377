package io.gapwatch.server.runs;

import io.gapwatch.probe.Measurement;
import io.gapwatch.probe.Variant;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.time.Instant;
import java.util.List;
import java.util.StringJoiner;
import java.util.function.Function;

/** The measurements table: every iteration's numbers, kept forever. */
@Repository
public class MeasurementRepository {
    private final JdbcClient jdbc;

    public MeasurementRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Stores a run's measurements under their series (see {@code SeriesRepository}) and the time they were
     * recorded, which is what series queries select and order by. One statement for the whole run, a column a
     * parameter (unnest of arrays): a row-by-row insert made a result of 1,000 measurements take a round trip
     * each, 0.05x the rows/s of COPY (bench/run).
     */
    public void insertAll(long runId, long seriesId, Instant measuredAt, List<Measurement> measurements) {
        if (measurements.isEmpty()) {
            return;
        }
        jdbc.sql("""
                        INSERT INTO measurements (run_id, iteration, saved_runnable_ns, restored_runnable_ns,
                            steal_delta_ns, guest_area_runnable_ns, gap_low_ns, gap_high_ns, host_run_delay_ns,
                            error_ns, within_bracket, pass, create_ns, save_ns, restore_ns, run_ns,
                            series_id, measured_at)
                        SELECT :runId, m.*, :seriesId, :measuredAt
                        FROM unnest(CAST(:iteration AS integer[]), CAST(:saved AS bigint[]), CAST(:restored AS bigint[]),
                                    CAST(:steal AS bigint[]), CAST(:guestArea AS bigint[]), CAST(:low AS bigint[]),
                                    CAST(:high AS bigint[]), CAST(:runDelay AS bigint[]), CAST(:error AS bigint[]),
                                    CAST(:within AS boolean[]), CAST(:pass AS boolean[]), CAST(:create AS bigint[]),
                                    CAST(:save AS bigint[]), CAST(:restore AS bigint[]), CAST(:run AS bigint[])) AS m""")
                .param("runId", runId)
                .param("seriesId", seriesId)
                .param("measuredAt", RunRepository.ts(measuredAt))
                .param("iteration", array(measurements, Measurement::iteration))
                .param("saved", array(measurements, Measurement::savedRunnableNs))
                .param("restored", array(measurements, Measurement::restoredRunnableNs))
                .param("steal", array(measurements, Measurement::stealDeltaNs))
                .param("guestArea", array(measurements, Measurement::guestAreaRunnableNs))
                .param("low", array(measurements, Measurement::gapLowNs))
                .param("high", array(measurements, Measurement::gapHighNs))
                .param("runDelay", array(measurements, Measurement::hostRunDelayNs))
                .param("error", array(measurements, Measurement::errorNs))
                .param("within", array(measurements, Measurement::withinBracket))
                .param("pass", array(measurements, Measurement::pass))
                .param("create", array(measurements, Measurement::createNs))
                .param("save", array(measurements, Measurement::saveNs))
                .param("restore", array(measurements, Measurement::restoreNs))
                .param("run", array(measurements, Measurement::runNs))
                .update();
    }

    /** One column as a PostgreSQL array literal: {1,NULL,3} (numbers and booleans only, so nothing to quote). */
    private static String array(List<Measurement> measurements, Function<Measurement, Object> column) {
        StringJoiner out = new StringJoiner(",", "{", "}");
        for (Measurement m : measurements) {
            Object v = column.apply(m);
            out.add(v == null ? "NULL" : v.toString());
        }
        return out.toString();
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
