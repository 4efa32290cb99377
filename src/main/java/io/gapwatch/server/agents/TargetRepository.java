package io.gapwatch.server.agents;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.util.List;

/** The targets table. */
@Repository
public class TargetRepository {
    private final JdbcClient jdbc;

    public TargetRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** An agent's targets are what it said at its last registration: older ones are dropped. */
    public void replace(long agentId, List<Target> targets) {
        jdbc.sql("DELETE FROM targets WHERE agent_id = :agentId").param("agentId", agentId).update();
        for (Target t : targets) {
            jdbc.sql("""
                            INSERT INTO targets (agent_id, backend, kernel_release, cpu_model, accelerator, xen_capabilities)
                            VALUES (:agentId, :backend, :kernel, :cpuModel, :accelerator, :xen)""")
                    .param("agentId", agentId)
                    .param("backend", t.backend())
                    .param("kernel", t.kernelRelease())
                    .param("cpuModel", t.cpuModel())
                    .param("accelerator", t.accelerator())
                    .param("xen", t.xenCapabilities())
                    .update();
        }
    }

    public List<Target> forAgent(long agentId) {
        return jdbc.sql("SELECT * FROM targets WHERE agent_id = :agentId ORDER BY id")
                .param("agentId", agentId)
                .query((rs, i) -> new Target(rs.getString("backend"), rs.getString("kernel_release"),
                        rs.getString("cpu_model"), rs.getString("accelerator"),
                        rs.getObject("xen_capabilities", Integer.class)))
                .list();
    }

    /** Whether any registered, unrevoked agent offers a target matching the given constraints (null: any). */
    public boolean anyServes(String agent, String kernelRelease, String backend) {
        return jdbc.sql("""
                        SELECT EXISTS (
                            SELECT 1 FROM targets t JOIN agents a ON a.id = t.agent_id
                            WHERE a.revoked_at IS NULL
                              AND (CAST(:agent AS text) IS NULL OR a.name = :agent)
                              AND (CAST(:kernel AS text) IS NULL OR t.kernel_release = :kernel)
                              AND (CAST(:backend AS text) IS NULL OR t.backend = :backend))""")
                .param("agent", agent).param("kernel", kernelRelease).param("backend", backend)
                .query(Boolean.class).single();
    }

    /** Every kernel a registered, unrevoked agent serves (on {@code backend}, unless null). */
    public List<String> servedKernels(String backend) {
        return jdbc.sql("""
                        SELECT DISTINCT t.kernel_release FROM targets t JOIN agents a ON a.id = t.agent_id
                        WHERE a.revoked_at IS NULL AND (CAST(:backend AS text) IS NULL OR t.backend = :backend)
                        ORDER BY 1""")
                .param("backend", backend)
                .query(String.class).list();
    }

    /** Which of {@code kernels} a registered, unrevoked agent serves (on {@code backend}, unless null). */
    public java.util.Set<String> servedAmong(java.util.Collection<String> kernels, String backend) {
        return new java.util.HashSet<>(jdbc.sql("""
                        SELECT DISTINCT t.kernel_release FROM targets t JOIN agents a ON a.id = t.agent_id
                        WHERE a.revoked_at IS NULL AND t.kernel_release IN (:kernels)
                          AND (CAST(:backend AS text) IS NULL OR t.backend = :backend)""")
                .param("kernels", kernels).param("backend", backend)
                .query(String.class).list());
    }
}
