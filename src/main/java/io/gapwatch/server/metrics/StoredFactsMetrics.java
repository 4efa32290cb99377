package io.gapwatch.server.metrics;

import io.gapwatch.server.ServerClock;
import io.gapwatch.server.agents.AgentRepository;
import io.gapwatch.server.runs.RunRepository;
import io.gapwatch.server.sweeps.SweepRepository;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Gauges of what is stored (queue depth, agents by state, each schedule's last successful sweep), computed from the database rather than counted
 * in memory, so every replica reports the same values and a restarted server is right at once. Recomputed
 * every {@code gapwatch.metrics.refresh}; while the database cannot be read they are NaN, not stale numbers.
 */
@Component
@EnableConfigurationProperties(MetricsProperties.class)
public class StoredFactsMetrics {
    private static final Logger log = LoggerFactory.getLogger(StoredFactsMetrics.class);

    private final RunRepository runs;
    private final AgentRepository agents;
    private final ServerClock clock;
    private final MetricsProperties properties;
    private final SweepRepository sweeps;
    private final MultiGauge lastSweepSuccess;
    private volatile Facts facts;

    /** One reading of the database. */
    record Facts(RunRepository.QueueDepth queue, AgentRepository.AgentCounts agents, Map<String, Instant> lastSweepSuccess) {
    }

    public StoredFactsMetrics(RunRepository runs, AgentRepository agents, SweepRepository sweeps, ServerClock clock,
                              MetricsProperties properties, MeterRegistry registry) {
        this.runs = runs;
        this.agents = agents;
        this.sweeps = sweeps;
        this.clock = clock;
        this.properties = properties;
        gauge(registry, "gapwatch.runs.queued", "runs waiting for an agent", f -> f.queue().queued());
        gauge(registry, "gapwatch.runs.running", "runs leased to an agent (LEASED or RUNNING)", f -> f.queue().running());
        agentGauge(registry, "connected", f -> f.agents().connected());
        agentGauge(registry, "stale", f -> f.agents().stale());
        agentGauge(registry, "revoked", f -> f.agents().revoked());
        lastSweepSuccess = MultiGauge.builder("gapwatch.sweep.last.success.timestamp").baseUnit("seconds")
                .description("when the latest completed sweep of each enabled schedule finished (Unix time)")
                .register(registry);
        refresh();
    }

    @Scheduled(fixedDelayString = "${gapwatch.metrics.refresh:5s}")
    public void refresh() {
        try {
            facts = new Facts(runs.queueDepth(), agents.countByState(clock.now().minus(properties.agentStaleAfter())),
                    sweeps.lastCompletedByEnabledSchedule());
            lastSweepSuccess.register(facts.lastSweepSuccess().entrySet().stream()
                    .map(e -> MultiGauge.Row.of(Tags.of("schedule", e.getKey()), e.getValue().toEpochMilli() / 1000.0))
                    .toList(), true);
        } catch (RuntimeException e) {
            facts = null;
            lastSweepSuccess.register(List.of(), true); // no series rather than a stale one
            log.warn("stored-facts metrics: {}", e.getMessage()); // e.g. the database is down; the next round retries
        }
    }

    private void gauge(MeterRegistry registry, String name, String description, ToDoubleFunction<Facts> value) {
        Gauge.builder(name, this, m -> m.read(value)).description(description).register(registry);
    }

    private void agentGauge(MeterRegistry registry, String state, ToDoubleFunction<Facts> value) {
        Gauge.builder("gapwatch.agents", this, m -> m.read(value))
                .description("registered agents by state: connected (seen within gapwatch.metrics.agent-stale-after), stale, revoked")
                .tag("state", state).register(registry);
    }

    private double read(ToDoubleFunction<Facts> value) {
        Facts f = facts;
        return f == null ? Double.NaN : value.applyAsDouble(f);
    }
}
