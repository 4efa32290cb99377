package io.gapwatch.server.metrics;

import io.gapwatch.probe.Measurement;
import io.gapwatch.probe.Variant;
import io.gapwatch.probe.Verdict;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** What the queue and the kernels do, for Prometheus (gapwatch_* series). */
@Component
public class RunMetrics {
    private final MeterRegistry registry;
    private final Map<Refusal, Counter> refused = new EnumMap<>(Refusal.class);
    private final Counter expired;

    /** Why a delivered result was not recorded: the {@code reason} label of gapwatch_results_refused_total. */
    public enum Refusal {
        /** the lease token is not current: the lease expired and was reaped, or the run was cancelled */
        STALE_LEASE("stale-lease"),
        /** the lease expired before the result arrived (the reaper had not run yet) */
        LEASE_EXPIRED("lease-expired"),
        /** the result names another kernel or backend than the target the run was leased for */
        TARGET_MISMATCH("target-mismatch");

        private final String label;

        Refusal(String label) {
            this.label = label;
        }
    }

    public RunMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (Refusal reason : Refusal.values()) {
            refused.put(reason, Counter.builder("gapwatch.results.refused").tag("reason", reason.label)
                    .description("results delivered but not recorded, by reason").register(registry));
        }
        this.expired = Counter.builder("gapwatch.leases.expired")
                .description("leases that expired without a result").register(registry);
    }

    public void runCreated(String variant) {
        registry.counter("gapwatch.runs.created", "variant", variant).increment();
    }

    public void resultRefused(Refusal reason) {
        refused.get(reason).increment();
    }

    public void leaseExpired() {
        expired.increment();
    }

    /**
     * A run's verdict, and the accuracy of each iteration against its host-measured bracket. {@code kernel} and
     * {@code backend} are the registered target's, never free text from the agent's report.
     */
    public void runCompleted(String kernel, String backend, Variant runVariant, Verdict verdict, List<Measurement> measurements) {
        String variant = runVariant.id();
        registry.counter("gapwatch.runs.completed", "verdict", verdict.name(), "variant", variant,
                "backend", backend, "kernel", kernel).increment();
        DistributionSummary error = DistributionSummary.builder("gapwatch.steal.error.abs")
                .description("|stealDelta - bracket midpoint| per iteration")
                .baseUnit("nanoseconds")
                .tags("variant", variant, "backend", backend, "kernel", kernel)
                .register(registry);
        for (Measurement m : measurements) {
            error.record(Math.abs(m.errorNs()));
            registry.counter("gapwatch.iterations", "within_bracket", Boolean.toString(m.withinBracket()),
                    "variant", variant, "backend", backend, "kernel", kernel).increment();
        }
    }
}
