package io.gapwatch.server;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/**
 * Queue settings (prefix {@code gapwatch}).
 *
 * @param leaseDuration     how long a lease lasts without a heartbeat
 * @param maxAttempts       attempts a run gets (acknowledged leases) before it ends as ERROR
 * @param reaperInterval    how often expired leases are looked for
 * @param maxLeaseWait      the longest an agent's lease request may wait for work
 * @param leaseAckTimeout   how long a new lease waits for the agent's first heartbeat; one never acknowledged
 *                          (the long poll's client was gone) goes back to the queue without costing an attempt
 * @param queuePollInterval how often a server with waiting agents looks at the queue even without a
 *                          notification (a safety net: runs queued anywhere wake waiters through NOTIFY)
 */
@ConfigurationProperties("gapwatch")
public record GapwatchProperties(Duration leaseDuration, int maxAttempts, Duration reaperInterval, Duration maxLeaseWait,
                                 Duration leaseAckTimeout, Duration queuePollInterval) {
    public GapwatchProperties {
        leaseDuration = leaseDuration == null ? Duration.ofSeconds(30) : leaseDuration;
        maxAttempts = maxAttempts <= 0 ? 3 : maxAttempts;
        reaperInterval = reaperInterval == null ? Duration.ofSeconds(1) : reaperInterval;
        maxLeaseWait = maxLeaseWait == null ? Duration.ofSeconds(30) : maxLeaseWait;
        leaseAckTimeout = leaseAckTimeout == null ? Duration.ofSeconds(15) : leaseAckTimeout;
        if (leaseAckTimeout.compareTo(leaseDuration) > 0) {
            leaseAckTimeout = leaseDuration;
        }
        queuePollInterval = queuePollInterval == null ? Duration.ofSeconds(5) : queuePollInterval;
    }
}
