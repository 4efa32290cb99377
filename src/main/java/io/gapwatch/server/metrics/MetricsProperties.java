package io.gapwatch.server.metrics;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/**
 * How the stored-facts gauges are computed (prefix {@code gapwatch.metrics}).
 *
 * @param refresh          how often the gauges are recomputed from the database
 * @param agentStaleAfter  an agent not seen for this long (no lease request) counts as stale, not connected;
 *                         agents long-poll every 20 s, so a minute is three missed polls
 */
@ConfigurationProperties("gapwatch.metrics")
public record MetricsProperties(Duration refresh, Duration agentStaleAfter) {
    public MetricsProperties {
        refresh = refresh == null ? Duration.ofSeconds(5) : refresh;
        agentStaleAfter = agentStaleAfter == null ? Duration.ofMinutes(1) : agentStaleAfter;
    }
}
