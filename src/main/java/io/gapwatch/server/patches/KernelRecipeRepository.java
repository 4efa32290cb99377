package io.gapwatch.server.patches;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.util.Optional;

/**
 * The kernel_recipes table: the kernels {@code <base>-gw-<hex12>} the server knows how to build, each the prefix of
 * a submitted series. A builder target serves a run of such a kernel (see TargetRepository.serves).
 */
@Repository
public class KernelRecipeRepository {
    private final JdbcClient jdbc;

    public KernelRecipeRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Registers prefix {@code position} of a series; a release already known (the same recipe) keeps its owner. */
    public void register(String release, String base, long seriesId, int position) {
        jdbc.sql("""
                        INSERT INTO kernel_recipes (release, base, series_id, position)
                        VALUES (:release, :base, :series, :position)
                        ON CONFLICT (release) DO NOTHING""")
                .param("release", release).param("base", base).param("series", seriesId).param("position", position)
                .update();
    }

    public Optional<Source> find(String release) {
        return jdbc.sql("SELECT series_id, position FROM kernel_recipes WHERE release = :release")
                .param("release", release)
                .query((rs, i) -> new Source(rs.getLong("series_id"), rs.getInt("position")))
                .optional();
    }

    /** Where a recipe comes from: the first {@code position} patches of series {@code seriesId}. */
    public record Source(long seriesId, int position) {
    }

    /** Whether a kernel release is named like a built one: only those are looked up. */
    public static boolean builtName(String release) {
        return release != null && release.contains("-gw-");
    }
}
