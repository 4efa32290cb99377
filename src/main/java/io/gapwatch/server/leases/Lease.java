package io.gapwatch.server.leases;

import io.gapwatch.client.BuildRecipe;
import io.gapwatch.probe.Variant;

import java.time.Instant;

/**
 * A run handed to an agent. {@code token} fences the lease: heartbeats and the result must carry it,
 * and once the lease expires it is refused. Send a heartbeat well within {@code leaseSeconds}.
 */
public record Lease(long token, Instant expiresAt, long leaseSeconds, LeasedRun run) {

    /**
     * What the agent must execute, and on which of its targets. {@code build}: the recipe of the kernel when it is
     * one built from source ({@code kernelRelease} is then {@link BuildRecipe#release()}), for a builder target to
     * build; null for any other kernel.
     */
    public record LeasedRun(long id, Variant variant, int gapMs, int iterations, boolean strict, String backend,
                            String kernelRelease, BuildRecipe build) {
    }
}
