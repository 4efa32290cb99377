package io.gapwatch.server.agents;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import java.util.List;

/**
 * The targets table. A target serves the runs that request its kernel, or no kernel; a builder target
 * ({@code build:<base>}, a lab agent that builds kernels from source) serves instead the runs of every kernel
 * {@code <base>-gw-<hex12>} whose recipe the server knows (kernel_recipes), and no other run: it has no kernel
 * of its own. Every query that matches runs to targets uses {@link #serves}, so leasing, waking waiting agents
 * and refusing unservable requests agree.
 */
@Repository
public class TargetRepository {
    /** The kernel release prefix of a builder target. */
    public static final String BUILDER_PREFIX = "build:";

    /**
     * The SQL condition "the target whose kernel_release column is {@code target} serves a run requesting
     * {@code requested} (a column or parameter, NULL: any kernel)".
     */
    public static String serves(String target, String requested) {
        return "((" + requested + " IS NULL AND " + target + " NOT LIKE 'build:%') OR " + requested + " = " + target
                + " OR (" + target + " LIKE 'build:%' AND EXISTS (SELECT 1 FROM kernel_recipes kr WHERE kr.release = "
                + requested + " AND 'build:' || kr.base = " + target + ")))";
    }

    /** The kernel a run leased on the target runs: the requested one on a builder target, else the target's. */
    public static String leasedKernel(String target, String requested) {
        return "CASE WHEN " + target + " LIKE 'build:%' THEN " + requested + " ELSE " + target + " END";
    }

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
                              AND $SERVES
                              AND (CAST(:backend AS text) IS NULL OR t.backend = :backend))"""
                        .replace("$SERVES", serves("t.kernel_release", "CAST(:kernel AS text)")))
                .param("agent", agent).param("kernel", kernelRelease).param("backend", backend)
                .query(Boolean.class).single();
    }

    /**
     * Every kernel a registered, unrevoked agent has (on {@code backend}, unless null): what "every served kernel"
     * means to a sweep or a bisection. A builder target has no kernel of its own: the kernels it would build
     * are served (see {@link #anyServes}) but not listed, or every nightly sweep would build every recipe.
     */
    public List<String> servedKernels(String backend) {
        return jdbc.sql("""
                        SELECT DISTINCT t.kernel_release FROM targets t JOIN agents a ON a.id = t.agent_id
                        WHERE a.revoked_at IS NULL AND (CAST(:backend AS text) IS NULL OR t.backend = :backend)
                          AND t.kernel_release NOT LIKE 'build:%'
                        ORDER BY 1""")
                .param("backend", backend)
                .query(String.class).list();
    }

    /** Which of {@code kernels} a registered, unrevoked agent serves (on {@code backend}, unless null). */
    public java.util.Set<String> servedAmong(java.util.Collection<String> kernels, String backend) {
        return new java.util.HashSet<>(jdbc.sql("""
                        SELECT DISTINCT k.kernel FROM unnest(CAST(:kernels AS text[])) AS k(kernel)
                        WHERE EXISTS (SELECT 1 FROM targets t JOIN agents a ON a.id = t.agent_id
                                      WHERE a.revoked_at IS NULL
                                        AND (CAST(:backend AS text) IS NULL OR t.backend = :backend)
                                        AND $SERVES)""".replace("$SERVES", serves("t.kernel_release", "k.kernel")))
                .param("kernels", kernels.toArray(String[]::new)).param("backend", backend)
                .query(String.class).list());
    }
}
