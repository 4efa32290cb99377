package io.gapwatch.server.agents;

import java.util.List;

/** POST /api/v1/agents: who the agent is and the targets it serves. */
public record AgentRegistration(String name, String hostname, String version, List<Target> targets) {
}
