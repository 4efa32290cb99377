package io.gapwatch.server.agents;

import java.time.Instant;
import java.util.List;

/** A registered worker and the targets it serves. */
public record Agent(long id, String name, String hostname, String version, Instant registeredAt, Instant lastSeenAt,
                    Instant revokedAt, List<Target> targets) {
}
