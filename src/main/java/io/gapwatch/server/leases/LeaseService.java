package io.gapwatch.server.leases;

import io.gapwatch.probe.ErrorKind;
import io.gapwatch.probe.Measurement;
import io.gapwatch.probe.ProbeReport;
import io.gapwatch.probe.Verdict;
import io.gapwatch.server.GapwatchProperties;
import io.gapwatch.server.ServerClock;
import io.gapwatch.server.agents.AgentRepository;
import io.gapwatch.server.auth.Caller;
import io.gapwatch.server.web.ForbiddenException;
import io.gapwatch.server.metrics.RunMetrics;
import io.gapwatch.server.patches.KernelRecipes;
import io.gapwatch.server.runs.MeasurementRepository;
import io.gapwatch.server.runs.QueueSignal;
import io.gapwatch.server.runs.Run;
import io.gapwatch.server.runs.RunEvent;
import io.gapwatch.server.runs.RunEventRepository;
import io.gapwatch.server.runs.RunRepository;
import io.gapwatch.server.runs.RunState;
import io.gapwatch.server.series.SeriesKey;
import io.gapwatch.server.series.SeriesRepository;
import io.gapwatch.server.web.ConflictException;
import io.gapwatch.server.web.FieldProblem;
import io.gapwatch.server.web.InvalidRequestException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The agent side of the queue: lease (long poll), heartbeat, result. All times come from the
 * {@link ServerClock} (the database's), never from the agent.
 */
@Service
public class LeaseService {
    private static final Logger log = LoggerFactory.getLogger(LeaseService.class);
    private static final int MAX_PROGRESS = 500;
    private final RunRepository runs;
    private final MeasurementRepository measurements;
    private final SeriesRepository series;
    private final RunEventRepository events;
    private final AgentRepository agents;
    private final QueueSignal signal;
    private final ServerClock clock;
    private final GapwatchProperties properties;
    private final RunMetrics metrics;
    private final KernelRecipes recipes;
    private final TransactionTemplate tx;

    public LeaseService(RunRepository runs, MeasurementRepository measurements, SeriesRepository series,
                        RunEventRepository events, AgentRepository agents, QueueSignal signal, ServerClock clock, GapwatchProperties properties,
                        RunMetrics metrics, KernelRecipes recipes, TransactionTemplate tx) {
        this.runs = runs;
        this.measurements = measurements;
        this.series = series;
        this.events = events;
        this.agents = agents;
        this.signal = signal;
        this.clock = clock;
        this.properties = properties;
        this.metrics = metrics;
        this.recipes = recipes;
        this.tx = tx;
    }

    /**
     * Leases the next run one of the agent's targets can serve, now, or nothing. Waiting for one is the
     * {@link LeaseDispatcher}'s business. The lease must be acknowledged by a heartbeat within the
     * lease-ack timeout; only then does it count as an attempt.
     */
    public Optional<Lease> leaseNow(Caller.AgentCaller caller, long agentId) {
        requireSelf(caller, agentId);
        return tx.execute(s -> {
            Instant now = clock.now();
            agents.touch(agentId, now);
            return runs.leaseNext(agentId, caller.name(), now.plus(properties.leaseAckTimeout())).map(run -> {
                events.record(run.id(), now, RunEvent.Kind.LEASED, "to agent " + caller.name() + " (" + run.backend()
                        + ", " + run.kernelRelease() + "), lease token " + run.leaseToken() + "; attempt "
                        + (run.attempts() + 1) + " of " + run.maxAttempts() + " once the agent acknowledges it");
                return new Lease(run.leaseToken(), run.leaseExpiresAt(), properties.leaseDuration().toSeconds(),
                        new Lease.LeasedRun(run.id(), run.variant(), run.gapMs(), run.iterations(), run.strict(),
                                run.backend(), run.kernelRelease(), recipes.forRelease(run.kernelRelease()).orElse(null)));
            });
        });
    }

    static void requireSelf(Caller.AgentCaller caller, long agentId) {
        if (caller.agentId() != agentId) {
            throw new ForbiddenException("agent " + caller.name() + " may only lease for itself (agent " + caller.agentId() + ")");
        }
    }

    /**
     * Extends a live lease; the run is RUNNING from the first heartbeat. {@code iterationsDone} (null: not
     * said) is how far the agent has got, {@code progress} what it waits for before its first iteration (a kernel
     * build; null: nothing), both shown on the run.
     */
    public Instant heartbeat(Caller.AgentCaller caller, long token, Integer iterationsDone, String progress) {
        if (progress != null && (progress.length() > MAX_PROGRESS || progress.chars().anyMatch(Character::isISOControl))) {
            throw new InvalidRequestException("progress", "must be at most " + MAX_PROGRESS
                    + " characters without control characters");
        }
        Instant now = clock.now();
        return tx.execute(s -> {
            runs.lockByLeaseToken(token).ifPresent(run -> {
                requireOwnLease(caller, run, token);
                if (iterationsDone != null && (iterationsDone < 0 || iterationsDone > run.iterations())) {
                    throw new InvalidRequestException("iterationsDone", "must be between 0 and " + run.iterations()
                            + " (the run's iterations), was " + iterationsDone);
                }
            });
            return runs.extendLease(token, now, now.plus(properties.leaseDuration()), iterationsDone, progress);
        }).orElseThrow(() -> stale(token));
    }

    private static void requireOwnLease(Caller.AgentCaller caller, Run run, long token) {
        if (!caller.name().equals(run.agentName())) {
            throw new ForbiddenException("lease " + token + " belongs to agent " + run.agentName() + ", not " + caller.name());
        }
    }

    /**
     * Records a result. A result under a stale token (the lease expired, or the run was cancelled) is refused
     * and counted; the same result delivered twice under the current token is stored once. An infrastructure
     * ERROR sends the run back to the queue while it has attempts left (kept in its events, measurements not
     * stored); FAIL, SKIP, harness and build ERRORs are final (a recipe that did not build fails the same way again).
     */
    public Run report(Caller.AgentCaller caller, long token, ProbeReport report) {
        return tx.execute(s -> {
            Run run = runs.lockByLeaseToken(token).orElseThrow(() -> {
                metrics.resultRefused(RunMetrics.Refusal.STALE_LEASE);
                return stale(token);
            });
            requireOwnLease(caller, run, token);
            Instant now = clock.now();
            if (run.state() == RunState.COMPLETED) {
                return run; // a repeated delivery: already recorded
            }
            if (run.leaseExpiresAt() != null && run.leaseExpiresAt().isBefore(now)) {
                metrics.resultRefused(RunMetrics.Refusal.LEASE_EXPIRED);
                events.record(run.id(), now, RunEvent.Kind.RESULT_REFUSED, "lease token " + token + " expired at " + run.leaseExpiresAt());
                throw new ConflictException("lease " + token + " of run " + run.id() + " expired at " + run.leaseExpiresAt()
                        + "; the run will be requeued and its result is not recorded");
            }
            requireLeasedTarget(run, report);
            validate(run, report);
            if (report.verdict() == Verdict.ERROR && report.errorKind() == ErrorKind.INFRASTRUCTURE) {
                // a result without any heartbeat acknowledges its lease too: that attempt counts
                int attempt = run.state() == RunState.LEASED ? run.attempts() + 1 : run.attempts();
                events.record(run.id(), now, RunEvent.Kind.INFRASTRUCTURE_ERROR, "attempt " + attempt + " of "
                        + run.maxAttempts() + " on agent " + run.agentName() + ", lease token " + token + ": " + report.error());
                if (attempt < run.maxAttempts()) {
                    runs.requeue(run.id());
                    events.record(run.id(), now, RunEvent.Kind.REQUEUED, "infrastructure error in attempt "
                            + attempt + " of " + run.maxAttempts() + "; queued again");
                    signal.runQueued();
                    return runs.find(run.id()).orElseThrow();
                }
                events.record(run.id(), now, RunEvent.Kind.GAVE_UP, "all " + run.maxAttempts()
                        + " attempts ended in infrastructure errors; verdict ERROR");
            }
            runs.complete(run.id(), report, now);
            Run completed = runs.find(run.id()).orElseThrow();
            if (!report.measurements().isEmpty()) {
                long seriesId = series.idFor(new SeriesKey(completed.kernelRelease(), completed.variant().id(),
                        completed.gapMs(), completed.backend()));
                measurements.insertAll(run.id(), seriesId, now, report.measurements());
            }
            events.record(run.id(), now, RunEvent.Kind.RESULT_ACCEPTED, report.verdict() + " with "
                    + report.measurements().size() + " measurements, lease token " + token);
            // labels from the leased target as stored, not from the report's free text
            metrics.runCompleted(completed, report.measurements());
            return completed;
        });
    }

    /** Ends expired leases (here only, never on a lease request): requeue while attempts remain, else ERROR. */
    @Scheduled(fixedDelayString = "${gapwatch.reaper-interval:1s}")
    public void reap() {
        try {
            tx.executeWithoutResult(s -> expire(clock.now()));
        } catch (RuntimeException e) {
            log.warn("lease reaper: {}", e.getMessage()); // e.g. the database is down; the next round retries
        }
    }

    private void expire(Instant now) {
        for (Run before : runs.expireLeases(now)) {
            metrics.leaseExpired();
            boolean requeued = before.attempts() < before.maxAttempts();
            boolean acknowledged = before.state() == RunState.RUNNING;
            events.record(before.id(), now, RunEvent.Kind.LEASE_EXPIRED, "lease token " + before.leaseToken()
                    + " on agent " + before.agentName() + " expired at " + before.leaseExpiresAt()
                    + (acknowledged ? "" : ", never acknowledged (the agent had stopped waiting for it)"));
            events.record(before.id(), now, requeued ? RunEvent.Kind.REQUEUED : RunEvent.Kind.GAVE_UP,
                    !acknowledged ? "no attempt counted; queued again"
                            : requeued ? "attempt " + before.attempts() + " of " + before.maxAttempts() + " lost; queued again"
                            : "all " + before.maxAttempts() + " attempts lost; verdict ERROR");
            if (requeued) {
                signal.runQueued();
            }
        }
    }

    private static ConflictException stale(long token) {
        return new ConflictException("lease token " + token + " is not current: its lease expired or was cancelled, "
                + "and the run went back to the queue or ended; this result is not recorded");
    }

    /**
     * A result belongs to the target the run was leased for: one that names another kernel or backend would
     * file a kernel's numbers under another kernel's series (or a model's under a kernel's), so it is refused.
     */
    private void requireLeasedTarget(Run run, ProbeReport r) {
        if (r.target() == null) {
            return; // validate() names the missing field
        }
        List<FieldProblem> problems = new ArrayList<>();
        if (!run.backend().equals(r.target().backend())) {
            problems.add(new FieldProblem("target.backend", "run " + run.id() + " was leased for backend "
                    + run.backend() + ", the result names '" + r.target().backend() + "'"));
        }
        if (!run.kernelRelease().equals(r.target().kernelRelease())) {
            problems.add(new FieldProblem("target.kernelRelease", "run " + run.id() + " was leased for kernel "
                    + run.kernelRelease() + ", the result names '" + r.target().kernelRelease() + "'"));
        }
        if (!problems.isEmpty()) {
            metrics.resultRefused(RunMetrics.Refusal.TARGET_MISMATCH);
            throw new InvalidRequestException(problems);
        }
    }

    private static void validate(Run run, ProbeReport r) {
        List<FieldProblem> problems = new ArrayList<>();
        if (r.verdict() == null) {
            problems.add(new FieldProblem("verdict", "is required"));
        }
        if (r.target() == null || r.target().kernelRelease() == null || r.target().backend() == null) {
            problems.add(new FieldProblem("target", "needs backend and kernelRelease"));
        }
        if (r.variant() != run.variant() || r.gapMs() != run.gapMs()) {
            problems.add(new FieldProblem("variant", "the report is for " + r.variant() + " at " + r.gapMs()
                    + " ms but run " + run.id() + " is " + run.variant() + " at " + run.gapMs() + " ms"));
        }
        if (r.build() != null && (!run.kernelRelease().equals(r.build().release()) || r.build().seconds() < 0
                || !Double.isFinite(r.build().seconds()))) {
            problems.add(new FieldProblem("build", "names the build of kernel " + r.build().release() + " taking "
                    + r.build().seconds() + " s; run " + run.id() + " was leased for " + run.kernelRelease()
                    + " and a build takes 0 s or more"));
        }
        List<Measurement> ms = r.measurements() == null ? List.of() : r.measurements();
        if (r.measurements() == null) {
            problems.add(new FieldProblem("measurements", "is required (may be empty for SKIP and ERROR)"));
        }
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < ms.size(); i++) {
            Measurement m = ms.get(i);
            if (m == null || m.iteration() < 1 || m.iteration() > run.iterations() || !seen.add(m.iteration())) {
                problems.add(new FieldProblem("measurements[" + i + "].iteration",
                        "must be distinct and between 1 and " + run.iterations()));
            }
        }
        // a FAIL that carries a reason is the kernel refusing a restore: it ends before its last iteration
        boolean refused = r.verdict() == Verdict.FAIL && r.error() != null;
        if ((r.verdict() == Verdict.PASS || r.verdict() == Verdict.FAIL) && !refused && ms.size() != run.iterations()) {
            problems.add(new FieldProblem("measurements", "a " + r.verdict() + " needs all " + run.iterations()
                    + " iterations, got " + ms.size()));
        }
        if (r.errorKind() != null && r.verdict() != Verdict.ERROR) {
            problems.add(new FieldProblem("errorKind", "is for an ERROR verdict, not " + r.verdict()));
        }
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(problems);
        }
    }
}
