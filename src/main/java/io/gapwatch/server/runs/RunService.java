package io.gapwatch.server.runs;

import io.gapwatch.probe.ProbeRequest;
import io.gapwatch.probe.Variant;
import io.gapwatch.probe.TargetInfo;
import io.gapwatch.server.GapwatchProperties;
import io.gapwatch.server.ServerClock;
import io.gapwatch.server.agents.TargetRepository;
import io.gapwatch.server.metrics.RunMetrics;
import io.gapwatch.server.web.ConflictException;
import io.gapwatch.server.web.FieldProblem;
import io.gapwatch.server.web.InvalidRequestException;
import io.gapwatch.server.web.NotFoundException;
import io.gapwatch.server.web.UnservableTargetException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.util.ArrayList;
import java.util.List;

/** Creating, reading and cancelling runs. Leasing them is the leases package's business. */
@Service
public class RunService {
    private static final int MAX_NAME = 200;

    private final RunRepository runs;
    private final MeasurementRepository measurements;
    private final RunEventRepository events;
    private final TargetRepository targets;
    private final QueueSignal signal;
    private final ServerClock clock;
    private final GapwatchProperties properties;
    private final RunMetrics metrics;

    public RunService(RunRepository runs, MeasurementRepository measurements, RunEventRepository events,
                      TargetRepository targets, QueueSignal signal, ServerClock clock, GapwatchProperties properties,
                      RunMetrics metrics) {
        this.runs = runs;
        this.measurements = measurements;
        this.events = events;
        this.targets = targets;
        this.signal = signal;
        this.clock = clock;
        this.properties = properties;
        this.metrics = metrics;
    }

    @Transactional
    public Run create(CreateRunRequest request) {
        return create(request, null);
    }

    /**
     * Creates a run the server itself needs (a confirmation, a bisection step); {@code purpose} says why in
     * the run's CREATED event, so a reader of the run knows it was not asked for by a person.
     */
    @Transactional
    public Run create(CreateRunRequest request, String purpose) {
        NewRun run = validate(request);
        RequestedTarget t = run.target();
        if (!targets.anyServes(t.agent(), t.kernelRelease(), t.backend())) {
            throw new UnservableTargetException("no registered agent serves target " + describe(t)
                    + "; GET /api/v1/agents lists the targets agents offer");
        }
        Run created = runs.insert(run, clock.now());
        events.record(created.id(), created.createdAt(), RunEvent.Kind.CREATED, "queued for " + describe(t)
                + (purpose == null ? "" : ": " + purpose));
        metrics.runCreated(run.variant().id());
        signal.runQueued();
        return created;
    }

    /** Queues the runs a sweep expanded to, in order; the caller's transaction makes it all or nothing. */
    public void queueForSweep(List<NewRun> newRuns, long sweepId) {
        var now = clock.now();
        runs.insertForSweep(newRuns, sweepId, now);
        events.recordCreatedForSweep(sweepId, now);
        newRuns.forEach(r -> metrics.runCreated(r.variant().id()));
        signal.runQueued();
    }

    /** Cancels the unfinished runs of a sweep; an agent's later result for one of them is refused. */
    public void cancelSweepRuns(long sweepId) {
        var now = clock.now();
        for (Run run : runs.cancelUnfinishedOfSweep(sweepId, now)) {
            events.record(run.id(), now, RunEvent.Kind.CANCELLED, "sweep " + sweepId + " cancelled while " + run.state());
        }
    }

    public List<Run> runsOfSweep(long sweepId) {
        return runs.forSweep(sweepId);
    }

    /** The sweep's runs that ended with a verdict, each with its measurements: what its reports are made of. */
    public List<RunView> finishedOfSweep(long sweepId) {
        return runs.forSweep(sweepId).stream().filter(r -> r.verdict() != null)
                .map(r -> RunView.of(r, measurements.forRun(r.id()), null)).toList();
    }

    public List<RunCount> countsForSweep(long sweepId) {
        return runs.countsForSweep(sweepId);
    }

    public List<CellSample> samplesForSweep(long sweepId) {
        return measurements.forSweep(sweepId);
    }

    public RunView get(long id) {
        Run run = runs.find(id).orElseThrow(() -> notFound(id));
        return RunView.of(run, measurements.forRun(id), events.forRun(id));
    }

    public RunPage list(RunFilter filter, int page, int size) {
        List<RunView> items = runs.list(filter, page, size).stream().map(r -> RunView.of(r, null, null)).toList();
        return new RunPage(items, page, size, runs.count(filter));
    }

    @Transactional
    public RunView cancel(long id) {
        Run run = runs.lock(id).orElseThrow(() -> notFound(id));
        if (run.state().finished()) {
            throw new ConflictException("run " + id + " is already " + run.state() + "; only unfinished runs can be cancelled");
        }
        var now = clock.now();
        runs.cancel(id, now);
        events.record(id, now, RunEvent.Kind.CANCELLED, "cancelled while " + run.state());
        return get(id);
    }

    static NotFoundException notFound(long id) {
        return new NotFoundException("run " + id + " does not exist");
    }

    private NewRun validate(CreateRunRequest r) {
        List<FieldProblem> problems = new ArrayList<>();
        Variant variant = null;
        if (r.variant() == null) {
            problems.add(new FieldProblem("variant", "is required; one of " + Variant.ids()));
        } else {
            try {
                variant = Variant.fromId(r.variant());
            } catch (IllegalArgumentException e) {
                problems.add(new FieldProblem("variant", e.getMessage()));
            }
        }
        int gapMs = r.gapMs() == null ? ProbeRequest.DEFAULT_GAP_MS : r.gapMs();
        if (gapMs < 1 || gapMs > ProbeRequest.MAX_GAP_MS) {
            problems.add(new FieldProblem("gapMs", "must be between 1 and " + ProbeRequest.MAX_GAP_MS + " ms, was " + gapMs));
        }
        int iterations = r.iterations() == null ? 1 : r.iterations();
        if (iterations < 1 || iterations > ProbeRequest.MAX_ITERATIONS) {
            problems.add(new FieldProblem("iterations", "must be between 1 and " + ProbeRequest.MAX_ITERATIONS + ", was " + iterations));
        }
        CreateRunRequest.TargetRequest t = r.target() == null ? new CreateRunRequest.TargetRequest(null, null, null) : r.target();
        if (t.backend() != null && !TargetInfo.BACKENDS.contains(t.backend())) {
            problems.add(new FieldProblem("target.backend", "must be one of kvm, lab, sim; was '" + t.backend() + "'"));
        }
        checkName(problems, "target.agent", t.agent());
        checkName(problems, "target.kernel", t.kernel());
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(problems);
        }
        return new NewRun(variant, gapMs, iterations, Boolean.TRUE.equals(r.strict()),
                new RequestedTarget(t.agent(), t.kernel(), t.backend()), properties.maxAttempts());
    }

    private static void checkName(List<FieldProblem> problems, String field, String value) {
        if (value != null && (value.isBlank() || value.length() > MAX_NAME)) {
            problems.add(new FieldProblem(field, "must be 1.." + MAX_NAME + " characters"));
        }
    }

    private static String describe(RequestedTarget t) {
        return "{agent=" + (t.agent() == null ? "any" : t.agent())
                + ", kernel=" + (t.kernelRelease() == null ? "any" : t.kernelRelease())
                + ", backend=" + (t.backend() == null ? "any" : t.backend()) + "}";
    }
}
