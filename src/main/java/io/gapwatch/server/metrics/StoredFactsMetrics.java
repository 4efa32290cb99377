package io.gapwatch.server.metrics;

import io.gapwatch.server.ServerClock;
import io.gapwatch.server.agents.AgentRepository;
import io.gapwatch.server.regressions.RegressionRepository;
import io.gapwatch.server.runs.RunRepository;
import io.gapwatch.server.sweeps.SweepRepository;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * Gauges of what is stored (queue depth, agents by state, each schedule's last successful sweep, active
 * regressions), computed from the database rather than counted
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
    private final MeterRegistry registry;
    /** One gauge per enabled schedule with a completed sweep: registered when one appears, removed when it goes. */
    private final Map<String, Gauge> lastSweepSuccess = new HashMap<>();
    private final RegressionRepository regressions;
    /** One gauge per (kernel, variant) that ever had a regression. */
    private final Map<Tags, Gauge> activeRegressions = new HashMap<>();
    private volatile Facts facts;

    /** One reading of the database. */
    record Facts(RunRepository.QueueDepth queue, AgentRepository.AgentCounts agents, Map<String, Instant> lastSweepSuccess,
                 Map<Tags, Long> activeRegressions) {
    }

    public StoredFactsMetrics(RunRepository runs, AgentRepository agents, SweepRepository sweeps,
                              RegressionRepository regressions, ServerClock clock, MetricsProperties properties,
                              MeterRegistry registry) {
        this.runs = runs;
        this.regressions = regressions;
        this.agents = agents;
        this.sweeps = sweeps;
        this.clock = clock;
        this.properties = properties;
        gauge(registry, "gapwatch.runs.queued", "runs waiting for an agent", f -> f.queue().queued());
        gauge(registry, "gapwatch.runs.running", "runs leased to an agent (LEASED or RUNNING)", f -> f.queue().running());
        agentGauge(registry, "connected", f -> f.agents().connected());
        agentGauge(registry, "stale", f -> f.agents().stale());
        agentGauge(registry, "revoked", f -> f.agents().revoked());
        this.registry = registry;
        refresh();
    }

    @Scheduled(fixedDelayString = "${gapwatch.metrics.refresh:5s}")
    public synchronized void refresh() {
        try {
            facts = new Facts(runs.queueDepth(), agents.countByState(clock.now().minus(properties.agentStaleAfter())),
                    sweeps.lastCompletedByEnabledSchedule(), activeRegressions());
        } catch (RuntimeException e) {
            facts = null;
            log.warn("stored-facts metrics: {}", e.getMessage()); // e.g. the database is down; the next round retries
        }
        Facts f = facts;
        sync(lastSweepSuccess, f == null ? Set.of() : f.lastSweepSuccess().keySet(), schedule -> Gauge.builder(
                        "gapwatch.sweep.last.success.timestamp", this,
                        m -> m.read(x -> x.lastSweepSuccess().containsKey(schedule)
                                ? x.lastSweepSuccess().get(schedule).toEpochMilli() / 1000.0 : Double.NaN))
                .baseUnit("seconds").description("when the latest completed sweep of each enabled schedule finished (Unix time)")
                .tag("schedule", schedule).register(registry));
        sync(activeRegressions, f == null ? Set.of() : f.activeRegressions().keySet(), tags -> Gauge.builder(
                        "gapwatch.regressions.active", this,
                        m -> m.read(x -> x.activeRegressions().getOrDefault(tags, 0L)))
                .description("ACTIVE regressions per kernel and variant (0 once fixed)").tags(tags).register(registry));
    }

    private Map<Tags, Long> activeRegressions() {
        Map<Tags, Long> active = new HashMap<>();
        for (RegressionRepository.ActiveCount c : regressions.activeByKernelAndVariant()) {
            active.put(Tags.of("kernel", c.kernel(), "variant", c.variant()), c.active());
        }
        return active;
    }

    /**
     * Makes the gauges match the keys found: registers one per new key, removes those whose key is gone
     * (deleted, disabled, or the database unreadable: no series rather than a stale one).
     */
    private <K> void sync(Map<K, Gauge> gauges, Set<K> keys, java.util.function.Function<K, Gauge> register) {
        keys.forEach(k -> gauges.computeIfAbsent(k, register));
        gauges.entrySet().removeIf(e -> {
            boolean gone = !keys.contains(e.getKey());
            if (gone) {
                registry.remove(e.getValue());
            }
            return gone;
        });
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
