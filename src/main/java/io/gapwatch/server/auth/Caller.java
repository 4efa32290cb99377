package io.gapwatch.server.auth;

/** Who sent a request: a token holder with a role, or an agent with its own secret. */
public sealed interface Caller {

    record TokenHolder(long tokenId, String name, Role role) implements Caller {
    }

    record AgentCaller(long agentId, String name) implements Caller {
    }
}
