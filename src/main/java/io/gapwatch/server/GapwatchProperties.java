package io.gapwatch.server;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/**
 * Queue settings (prefix {@code gapwatch}).
 *
 * @param leaseDuration  how long a lease lasts without a heartbeat
 * @param maxAttempts    leases a run gets before an expired one ends it as ERROR
 * @param reaperInterval how often expired leases are looked for
 * @param maxLeaseWait   the longest an agent's lease request may wait for work
 */
@ConfigurationProperties("gapwatch")
public record GapwatchProperties(Duration leaseDuration, int maxAttempts, Duration reaperInterval, Duration maxLeaseWait) {
    public GapwatchProperties {
        leaseDuration = leaseDuration == null ? Duration.ofSeconds(30) : leaseDuration;
        maxAttempts = maxAttempts <= 0 ? 3 : maxAttempts;
        reaperInterval = reaperInterval == null ? Duration.ofSeconds(1) : reaperInterval;
        maxLeaseWait = maxLeaseWait == null ? Duration.ofSeconds(30) : maxLeaseWait;
    }
}
