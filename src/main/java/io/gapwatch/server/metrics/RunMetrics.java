package io.gapwatch.server.metrics;

import io.gapwatch.probe.Measurement;
import io.gapwatch.probe.ProbeReport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

/** What the queue and the kernels do, for Prometheus (gapwatch_* series). */
@Component
public class RunMetrics {
    private final MeterRegistry registry;
    private final Counter refused;
    private final Counter expired;

    public RunMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.refused = Counter.builder("gapwatch.results.refused")
                .description("results refused because their lease token was stale").register(registry);
        this.expired = Counter.builder("gapwatch.leases.expired")
                .description("leases that expired without a result").register(registry);
    }

    public void runCreated(String variant) {
        registry.counter("gapwatch.runs.created", "variant", variant).increment();
    }

    public void resultRefused() {
        refused.increment();
    }

    public void leaseExpired() {
        expired.increment();
    }

    /** A run's verdict, and the accuracy of each iteration against its host-measured bracket. */
    public void runCompleted(ProbeReport report) {
        String kernel = report.target().kernelRelease();
        String variant = report.variant().id();
        String backend = report.target().backend();
        registry.counter("gapwatch.runs.completed", "verdict", report.verdict().name(), "variant", variant,
                "backend", backend, "kernel", kernel).increment();
        DistributionSummary error = DistributionSummary.builder("gapwatch.steal.error.abs")
                .description("|stealDelta - bracket midpoint| per iteration")
                .baseUnit("nanoseconds")
                .tags("variant", variant, "backend", backend, "kernel", kernel)
                .register(registry);
        for (Measurement m : report.measurements()) {
            error.record(Math.abs(m.errorNs()));
            registry.counter("gapwatch.iterations", "within_bracket", Boolean.toString(m.withinBracket()),
                    "variant", variant, "backend", backend, "kernel", kernel).increment();
        }
    }
}
