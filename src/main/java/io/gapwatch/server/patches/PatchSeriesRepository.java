package io.gapwatch.server.patches;

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

/** The patch_series table. */
@Repository
public class PatchSeriesRepository {
    private static final RowMapper<PatchSeries> ROW = PatchSeriesRepository::map;

    private final JdbcClient jdbc;

    public PatchSeriesRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public PatchSeries insert(String base, String configFragment, String variant, int gapMs, int iterations, Instant now) {
        return jdbc.sql("""
                        INSERT INTO patch_series (state, base, config_fragment, variant, gap_ms, iterations, created_at)
                        VALUES ('SWEEPING', :base, :fragment, :variant, :gapMs, :iterations, :now)
                        RETURNING *""")
                .param("base", base).param("fragment", configFragment).param("variant", variant)
                .param("gapMs", gapMs).param("iterations", iterations).param("now", ts(now))
                .query(ROW).single();
    }

    public void sweeping(long id, long sweepId) {
        jdbc.sql("UPDATE patch_series SET sweep_id = :sweep WHERE id = :id")
                .param("id", id).param("sweep", sweepId).update();
    }

    public Optional<PatchSeries> find(long id) {
        return jdbc.sql("SELECT * FROM patch_series WHERE id = :id").param("id", id).query(ROW).optional();
    }

    public List<PatchSeries> list(PatchSeriesState state, int page, int size) {
        return jdbc.sql("""
                        SELECT * FROM patch_series WHERE CAST(:state AS text) IS NULL OR state = :state
                        ORDER BY id DESC LIMIT :limit OFFSET :offset""")
                .param("state", state == null ? null : state.name())
                .param("limit", size).param("offset", (long) page * size)
                .query(ROW).list();
    }

    public long count(PatchSeriesState state) {
        return jdbc.sql("SELECT count(*) FROM patch_series WHERE CAST(:state AS text) IS NULL OR state = :state")
                .param("state", state == null ? null : state.name())
                .query(Long.class).single();
    }

    /** Unfinished series nobody else is advancing right now, locked until the transaction ends. */
    public List<PatchSeries> lockUnfinished() {
        return jdbc.sql("""
                        SELECT * FROM patch_series WHERE state IN ('SWEEPING', 'BISECTING')
                        ORDER BY id FOR UPDATE SKIP LOCKED""")
                .query(ROW).list();
    }

    public void bisecting(long id, String comparison, long bisectionId) {
        jdbc.sql("UPDATE patch_series SET state = 'BISECTING', comparison = :comparison, bisection_id = :bisection WHERE id = :id")
                .param("id", id).param("comparison", comparison).param("bisection", bisectionId).update();
    }

    public void noRegression(long id, String comparison, Instant now) {
        jdbc.sql("""
                        UPDATE patch_series SET state = 'NO_REGRESSION', comparison = :comparison, finished_at = :now
                        WHERE id = :id""")
                .param("id", id).param("comparison", comparison).param("now", ts(now)).update();
    }

    public void found(long id, int firstBadPosition, Instant now) {
        jdbc.sql("UPDATE patch_series SET state = 'FOUND', first_bad_position = :position, finished_at = :now WHERE id = :id")
                .param("id", id).param("position", firstBadPosition).param("now", ts(now)).update();
    }

    /** The bisection could not tell which of some prefixes is the first bad one: the reason names them. */
    public void ambiguous(long id, String reason, Instant now) {
        jdbc.sql("UPDATE patch_series SET state = 'AMBIGUOUS', reason = :reason, finished_at = :now WHERE id = :id")
                .param("id", id).param("reason", reason).param("now", ts(now)).update();
    }

    /** @param comparison the comparison of full series and base, if the sweep got that far (null: unchanged) */
    public void fail(long id, String comparison, String reason, Instant now) {
        jdbc.sql("""
                        UPDATE patch_series SET state = 'FAILED', comparison = coalesce(:comparison, comparison),
                                                reason = :reason, finished_at = :now
                        WHERE id = :id""")
                .param("id", id).param("comparison", comparison).param("reason", reason).param("now", ts(now)).update();
    }

    private static PatchSeries map(ResultSet rs, int row) throws SQLException {
        return new PatchSeries(rs.getLong("id"), PatchSeriesState.valueOf(rs.getString("state")), rs.getString("base"),
                rs.getString("config_fragment"), rs.getString("variant"), rs.getInt("gap_ms"), rs.getInt("iterations"),
                rs.getObject("sweep_id", Long.class), rs.getObject("bisection_id", Long.class),
                rs.getString("comparison"), rs.getObject("first_bad_position", Integer.class), rs.getString("reason"),
                instant(rs, "created_at"), instant(rs, "finished_at"));
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    static OffsetDateTime ts(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }
}
