package io.gapwatch.server.patches;

import io.gapwatch.client.BuildRecipe;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/** The patch_series_patches table: each patch of a series as submitted, byte for byte. */
@Repository
public class PatchRepository {
    private final JdbcClient jdbc;

    public PatchRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public void insertAll(long seriesId, List<BuildRecipe.Patch> patches) {
        for (BuildRecipe.Patch p : patches) {
            jdbc.sql("""
                            INSERT INTO patch_series_patches (series_id, position, subject, sha256, text)
                            VALUES (:series, :position, :subject, :sha256, :text)""")
                    .param("series", seriesId).param("position", p.position()).param("subject", p.subject())
                    .param("sha256", sha256(p.text())).param("text", p.text())
                    .update();
        }
    }

    /** The first {@code k} patches of a series, in order, with their text: what a build of prefix k applies. */
    public List<BuildRecipe.Patch> prefix(long seriesId, int k) {
        return jdbc.sql("""
                        SELECT position, subject, text FROM patch_series_patches
                        WHERE series_id = :series AND position <= :k ORDER BY position""")
                .param("series", seriesId).param("k", k)
                .query((rs, i) -> new BuildRecipe.Patch(rs.getInt("position"), rs.getString("subject"), rs.getString("text")))
                .list();
    }

    /** The patches of a series without their text (what a view shows). */
    public List<PatchSummary> summaries(long seriesId) {
        return jdbc.sql("""
                        SELECT position, subject, sha256, octet_length(text) AS bytes FROM patch_series_patches
                        WHERE series_id = :series ORDER BY position""")
                .param("series", seriesId)
                .query((rs, i) -> new PatchSummary(rs.getInt("position"), rs.getString("subject"), rs.getString("sha256"),
                        rs.getInt("bytes")))
                .list();
    }

    /** A patch as a series view lists it. */
    public record PatchSummary(int position, String subject, String sha256, int bytes) {
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
