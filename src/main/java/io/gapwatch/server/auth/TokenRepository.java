package io.gapwatch.server.auth;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/** The api_tokens table. */
@Repository
public class TokenRepository {
    private final JdbcClient jdbc;

    public TokenRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A token as listed: never its secret. */
    public record TokenRow(long id, String name, Role role, Instant createdAt, Instant revokedAt) {
    }

    public TokenRow insert(String name, Role role, String secretHash, Instant now) {
        return jdbc.sql("""
                        INSERT INTO api_tokens (name, role, secret_hash, created_at) VALUES (:name, :role, :hash, :now)
                        RETURNING *""")
                .param("name", name).param("role", role.id()).param("hash", secretHash).param("now", ts(now))
                .query(TokenRepository::map).single();
    }

    public Optional<TokenRow> findActiveByHash(String secretHash) {
        return jdbc.sql("SELECT * FROM api_tokens WHERE secret_hash = :hash AND revoked_at IS NULL")
                .param("hash", secretHash).query(TokenRepository::map).optional();
    }

    public Optional<TokenRow> find(long id) {
        return jdbc.sql("SELECT * FROM api_tokens WHERE id = :id").param("id", id).query(TokenRepository::map).optional();
    }

    public boolean existsByHash(String secretHash) {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM api_tokens WHERE secret_hash = :hash)")
                .param("hash", secretHash).query(Boolean.class).single();
    }

    public boolean anyActiveAdmin() {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM api_tokens WHERE role = 'admin' AND revoked_at IS NULL)")
                .query(Boolean.class).single();
    }

    public List<TokenRow> all() {
        return jdbc.sql("SELECT * FROM api_tokens ORDER BY id").query(TokenRepository::map).list();
    }

    public boolean revoke(long id, Instant now) {
        return jdbc.sql("UPDATE api_tokens SET revoked_at = coalesce(revoked_at, :now) WHERE id = :id")
                .param("id", id).param("now", ts(now)).update() == 1;
    }

    /** Serialises bootstrap between servers starting together on one database. */
    public void lockBootstrap() {
        jdbc.sql("SELECT pg_advisory_xact_lock(4711)").query(Object.class).single();
    }

    private static TokenRow map(ResultSet rs, int row) throws SQLException {
        return new TokenRow(rs.getLong("id"), rs.getString("name"), Role.fromId(rs.getString("role")),
                instant(rs, "created_at"), instant(rs, "revoked_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static OffsetDateTime ts(Instant i) {
        return i.atOffset(ZoneOffset.UTC);
    }
}
