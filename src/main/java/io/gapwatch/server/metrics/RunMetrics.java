package io.gapwatch.server.metrics;

import io.gapwatch.probe.Measurement;
import io.gapwatch.probe.Verdict;
import io.gapwatch.server.runs.Run;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import java.time.Duration;
import java.util.List;

/**
 * What happens to runs, as Prometheus counters and histograms (gapwatch_* series, base units). Labels are
 * bounded: kernel, variant, gap_ms, backend, verdict, reason; never a run id. What describes stored facts
 * (queue depth, agents) is in {@link StoredFactsMetrics}, computed from the database.
 */
@Component
public class RunMetrics {
    /**
     * Histogram buckets for steal deltas and errors, in seconds: 1-2.5-5 per decade from 0.1 ms to 1 s,
     * then the seed's upper bound (5 s). A sim error is tens of microseconds, a TCG lab error tenths of a
     * millisecond, a lost gap (clock-frozen) the whole gap: each lands in a bucket of its own.
     */
    static final Duration[] STEAL_BUCKETS = seconds(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
            0.1, 0.25, 0.5, 1, 2.5, 5);

    private final MeterRegistry registry;

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
        // present from the start, so a dashboard shows 0 rather than "no data" and rate() has a first sample
        Counter.builder("gapwatch.leases.expired").description("leases that expired without a result").register(registry);
        Counter.builder("gapwatch.negative.control.unexpected.pass")
                .description("runs of a negative control (clock-frozen) that passed: the harness is blind")
                .register(registry);
        for (Refusal reason : Refusal.values()) {
            refused(reason);
        }
    }

    public void runCreated(String variant) {
        registry.counter("gapwatch.runs.created", "variant", variant).increment();
    }

    public void resultRefused(Refusal reason) {
        refused(reason).increment();
    }

    private Counter refused(Refusal reason) {
        return Counter.builder("gapwatch.results.refused").description("results refused, by reason")
                .tag("reason", reason.label).register(registry);
    }

    /** Counted when the transaction that expired the lease commits. */
    public void leaseExpired() {
        afterCommit(() -> registry.counter("gapwatch.leases.expired").increment());
    }

    /**
     * A run's verdict and the accuracy of each iteration against its host-measured bracket, counted when the
     * result's transaction commits (a rolled-back result is not counted).
     */
    public void runCompleted(Run run, List<Measurement> measurements) {
        afterCommit(() -> count(run, measurements));
    }

    private void count(Run run, List<Measurement> measurements) {
        // kernel and backend are the leased target's as stored, never free text from the agent's report
        Tags series = Tags.of("kernel", run.kernelRelease(), "variant", run.variant().id(),
                "gap_ms", Integer.toString(run.gapMs()), "backend", run.backend());
        Counter.builder("gapwatch.runs.completed").description("runs that completed, by verdict")
                .tags(series).tag("verdict", run.verdict().name()).register(registry).increment();
        if (run.variant().expectedVerdict() == Verdict.FAIL && run.verdict() == Verdict.PASS) {
            registry.counter("gapwatch.negative.control.unexpected.pass").increment();
        }
        Timer delta = Timer.builder("gapwatch.steal.delta")
                .description("steal time the kernel accounted across the migration gap, per iteration")
                .serviceLevelObjectives(STEAL_BUCKETS).tags(series).register(registry);
        Timer error = Timer.builder("gapwatch.steal.error")
                .description("|stealDelta - midpoint of the host-measured gap bracket|, per iteration")
                .serviceLevelObjectives(STEAL_BUCKETS).tags(series).register(registry);
        for (Measurement m : measurements) {
            delta.record(Duration.ofNanos(Math.max(0, m.stealDeltaNs())));
            error.record(Duration.ofNanos(Math.abs(m.errorNs())));
            Counter.builder("gapwatch.iterations").description("iterations measured, by whether steal fell in the bracket")
                    .tags(series).tag("within_bracket", Boolean.toString(m.withinBracket())).register(registry).increment();
        }
    }

    private static void afterCommit(Runnable action) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            action.run();
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                action.run();
            }
        });
    }

    private static Duration[] seconds(double... values) {
        Duration[] durations = new Duration[values.length];
        for (int i = 0; i < values.length; i++) {
            durations[i] = Duration.ofNanos(Math.round(values[i] * 1e9));
        }
        return durations;
    }
}
