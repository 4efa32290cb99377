package io.gapwatch.server.agents;

import io.gapwatch.probe.TargetInfo;
import io.gapwatch.server.ServerClock;
import io.gapwatch.server.auth.Caller;
import io.gapwatch.server.auth.Role;
import io.gapwatch.server.auth.Secrets;
import io.gapwatch.server.web.ConflictException;
import io.gapwatch.server.web.ForbiddenException;
import io.gapwatch.server.web.FieldProblem;
import io.gapwatch.server.web.InvalidRequestException;
import io.gapwatch.server.web.NotFoundException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Registering agents and their targets. */
@Service
public class AgentService {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@+-]{0,199}");
    private static final int MAX_TARGETS = 256;

    private final AgentRepository agents;
    private final TargetRepository targets;
    private final ServerClock clock;

    public AgentService(AgentRepository agents, TargetRepository targets, ServerClock clock) {
        this.agents = agents;
        this.targets = targets;
        this.clock = clock;
    }

    /**
     * Registers an agent and its targets. An enrollment (or admin) token creates a NEW agent, which gets its
     * secret, returned this once; a name that is already registered is refused, so nobody takes over another
     * agent's name, targets or pinned runs. An agent holding its secret may only re-register itself (after a
     * restart, with new targets).
     */
    @Transactional
    public Enrolled register(Caller caller, AgentRegistration r) {
        validate(r);
        Instant now = clock.now();
        if (caller instanceof Caller.AgentCaller self) {
            if (!self.name().equals(r.name())) {
                throw new ForbiddenException("agent " + self.name() + " may only re-register itself, not '" + r.name() + "'");
            }
            agents.refresh(self.agentId(), r.hostname(), r.version(), now);
            targets.replace(self.agentId(), r.targets());
            Agent agent = get(self.agentId());
            return new Enrolled(agent.id(), agent.name(), agent.targets(), null);
        }
        if (!(caller instanceof Caller.TokenHolder t && (t.role() == Role.ENROLLMENT || t.role() == Role.ADMIN))) {
            throw new ForbiddenException("registering agent '" + r.name() + "' needs an enrollment token"
                    + " or that agent's own secret");
        }
        String secret = Secrets.agentSecret();
        long id = agents.insert(r.name(), r.hostname(), r.version(), Secrets.hash(secret), now).orElseThrow(() -> {
            var existing = agents.findByName(r.name()).orElseThrow();
            return new ConflictException("agent '" + r.name() + "' is already registered (id " + existing.id()
                    + (existing.revokedAt() != null ? ", revoked at " + existing.revokedAt() : "") + "): enrollment only"
                    + " creates new agents; that agent re-registers with its own secret, or an admin deletes it"
                    + " (DELETE /api/v1/agents/" + existing.id() + ") to free the name");
        });
        targets.replace(id, r.targets());
        Agent agent = get(id);
        return new Enrolled(agent.id(), agent.name(), agent.targets(), secret);
    }

    /** The answer to a registration: {@code secret} only at enrollment, and only this once. */
    public record Enrolled(long id, String name, List<Target> targets, String secret) {
    }

    @Transactional
    public Agent revoke(long id) {
        if (!agents.revoke(id, clock.now())) {
            throw new NotFoundException("agent " + id + " is not registered");
        }
        return get(id);
    }

    /**
     * The admin's answer to a revoked (or retired) agent: forget it. Its targets go, and its name may enroll
     * again, as a new agent with a new secret. Leases it held can no longer be heartbeaten (its secret matches
     * nothing), so they expire and the reaper requeues their runs; runs pinned to its name wait for the next
     * agent of that name.
     */
    @Transactional
    public void delete(long id) {
        if (!agents.delete(id)) {
            throw new NotFoundException("agent " + id + " is not registered");
        }
    }

    public Agent get(long id) {
        var row = agents.find(id).orElseThrow(() -> new NotFoundException("agent " + id + " is not registered"));
        return agent(row);
    }

    public List<Agent> all() {
        return agents.all().stream().map(this::agent).toList();
    }

    private Agent agent(AgentRepository.AgentRow row) {
        return new Agent(row.id(), row.name(), row.hostname(), row.version(), row.registeredAt(), row.lastSeenAt(),
                row.revokedAt(), targets.forAgent(row.id()));
    }

    private static void validate(AgentRegistration r) {
        List<FieldProblem> problems = new ArrayList<>();
        if (r.name() == null || !NAME.matcher(r.name()).matches()) {
            problems.add(new FieldProblem("name", "is required: 1..200 of letters, digits and . _ : @ + -"));
        }
        if (r.hostname() != null && r.hostname().length() > 255) {
            problems.add(new FieldProblem("hostname", "must be at most 255 characters"));
        }
        if (r.version() != null && r.version().length() > 100) {
            problems.add(new FieldProblem("version", "must be at most 100 characters"));
        }
        if (r.targets() == null || r.targets().isEmpty() || r.targets().size() > MAX_TARGETS) {
            problems.add(new FieldProblem("targets", "needs 1.." + MAX_TARGETS + " targets"));
        } else {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < r.targets().size(); i++) {
                Target t = r.targets().get(i);
                String at = "targets[" + i + "]";
                if (t == null) {
                    problems.add(new FieldProblem(at, "must not be null"));
                    continue;
                }
                if (t.backend() == null || !TargetInfo.BACKENDS.contains(t.backend())) {
                    problems.add(new FieldProblem(at + ".backend", "must be one of kvm, lab, sim"));
                }
                if (t.kernelRelease() == null || t.kernelRelease().isBlank() || t.kernelRelease().length() > 200) {
                    problems.add(new FieldProblem(at + ".kernelRelease", "is required, at most 200 characters"));
                }
                if (t.cpuModel() != null && t.cpuModel().length() > 200 || t.accelerator() != null && t.accelerator().length() > 20) {
                    problems.add(new FieldProblem(at, "cpuModel at most 200 and accelerator at most 20 characters"));
                }
                if (!seen.add(t.backend() + "|" + t.kernelRelease())) {
                    problems.add(new FieldProblem(at, "duplicates an earlier target"));
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(problems);
        }
    }
}
