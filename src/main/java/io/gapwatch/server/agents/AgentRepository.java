package io.gapwatch.server.agents;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/** The agents table. */
@Repository
public class AgentRepository {
    private final JdbcClient jdbc;

    public AgentRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Enrolls a new agent; empty if the name is taken (enrollment never takes over an existing agent). */
    public Optional<Long> insert(String name, String hostname, String version, String secretHash, Instant now) {
        return jdbc.sql("""
                        INSERT INTO agents (name, hostname, version, secret_hash, registered_at, last_seen_at)
                        VALUES (:name, :hostname, :version, :hash, :now, :now)
                        ON CONFLICT (name) DO NOTHING
                        RETURNING id""")
                .param("name", name).param("hostname", hostname).param("version", version).param("hash", secretHash)
                .param("now", now.atOffset(ZoneOffset.UTC))
                .query(Long.class).optional();
    }

    /** An agent that restarted registers again with its own secret: what it runs on may have changed. */
    public void refresh(long id, String hostname, String version, Instant now) {
        jdbc.sql("UPDATE agents SET hostname = :hostname, version = :version, last_seen_at = :now WHERE id = :id")
                .param("id", id).param("hostname", hostname).param("version", version)
                .param("now", now.atOffset(ZoneOffset.UTC)).update();
    }

    public Optional<AgentRow> findByName(String name) {
        return jdbc.sql("SELECT * FROM agents WHERE name = :name").param("name", name)
                .query(AgentRepository::map).optional();
    }

    /** Marks agents as seen now: one statement for every agent waiting on a server. */
    public void touchAll(List<Long> ids, Instant now) {
        if (ids.isEmpty()) {
            return;
        }
        jdbc.sql("UPDATE agents SET last_seen_at = :now WHERE id IN (:ids)")
                .param("ids", ids).param("now", now.atOffset(ZoneOffset.UTC)).update();
    }

    public void touch(long id, Instant now) {
        jdbc.sql("UPDATE agents SET last_seen_at = :now WHERE id = :id")
                .param("id", id).param("now", now.atOffset(ZoneOffset.UTC)).update();
    }

    /** The agent holding this secret, unless it was revoked. */
    public Optional<AgentRow> findActiveBySecretHash(String secretHash) {
        return jdbc.sql("SELECT * FROM agents WHERE secret_hash = :hash AND revoked_at IS NULL")
                .param("hash", secretHash).query(AgentRepository::map).optional();
    }

    /** The revoked agent that held this secret, to tell it why it is refused. */
    public Optional<AgentRow> findRevokedBySecretHash(String secretHash) {
        return jdbc.sql("SELECT * FROM agents WHERE secret_hash = :hash AND revoked_at IS NOT NULL")
                .param("hash", secretHash).query(AgentRepository::map).optional();
    }

    /** Forgets an agent: its targets go with it, its secret no longer matches anything, its name is free again. */
    public boolean delete(long id) {
        return jdbc.sql("DELETE FROM agents WHERE id = :id").param("id", id).update() == 1;
    }

    public boolean revoke(long id, Instant now) {
        return jdbc.sql("UPDATE agents SET revoked_at = coalesce(revoked_at, :now) WHERE id = :id")
                .param("id", id).param("now", now.atOffset(ZoneOffset.UTC)).update() == 1;
    }

    public Optional<AgentRow> find(long id) {
        return jdbc.sql("SELECT * FROM agents WHERE id = :id").param("id", id).query(AgentRepository::map).optional();
    }

    public List<AgentRow> all() {
        return jdbc.sql("SELECT * FROM agents ORDER BY id").query(AgentRepository::map).list();
    }

    /** Agents by state: revoked; else connected when seen since {@code staleBefore}, stale when not. */
    public AgentCounts countByState(Instant staleBefore) {
        return jdbc.sql("""
                        SELECT count(*) FILTER (WHERE revoked_at IS NULL AND last_seen_at >= :since) AS connected,
                               count(*) FILTER (WHERE revoked_at IS NULL AND last_seen_at < :since) AS stale,
                               count(*) FILTER (WHERE revoked_at IS NOT NULL) AS revoked
                        FROM agents""")
                .param("since", staleBefore.atOffset(ZoneOffset.UTC))
                .query((rs, row) -> new AgentCounts(rs.getLong("connected"), rs.getLong("stale"), rs.getLong("revoked")))
                .single();
    }

    public record AgentCounts(long connected, long stale, long revoked) {
    }

    /** An agents row, without its targets. */
    public record AgentRow(long id, String name, String hostname, String version, Instant registeredAt, Instant lastSeenAt,
                           Instant revokedAt) {
    }

    private static AgentRow map(ResultSet rs, int row) throws SQLException {
        return new AgentRow(rs.getLong("id"), rs.getString("name"), rs.getString("hostname"), rs.getString("version"),
                rs.getObject("registered_at", OffsetDateTime.class).toInstant(),
                rs.getObject("last_seen_at", OffsetDateTime.class).toInstant(),
                rs.getObject("revoked_at", OffsetDateTime.class) == null ? null
                        : rs.getObject("revoked_at", OffsetDateTime.class).toInstant());
    }
}
