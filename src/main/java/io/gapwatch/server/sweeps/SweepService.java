package io.gapwatch.server.sweeps;

import io.gapwatch.probe.Variant;
import io.gapwatch.server.GapwatchProperties;
import io.gapwatch.server.ServerClock;
import io.gapwatch.server.agents.TargetRepository;
import io.gapwatch.server.analysis.KernelVersion;
import io.gapwatch.server.runs.NewRun;
import io.gapwatch.server.runs.RequestedTarget;
import io.gapwatch.server.runs.Run;
import io.gapwatch.server.runs.RunService;
import io.gapwatch.server.web.ConflictException;
import io.gapwatch.server.web.FieldProblem;
import io.gapwatch.server.web.InvalidRequestException;
import io.gapwatch.server.web.NotFoundException;
import io.gapwatch.server.web.UnservableTargetException;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/** Starting sweeps (a matrix expanded into runs against the registered targets), reading and cancelling them. */
@Service
public class SweepService {
    private final SweepRepository sweeps;
    private final RunService runs;
    private final TargetRepository targets;
    private final ServerClock clock;
    private final GapwatchProperties properties;
    private final long maxRuns;

    public SweepService(SweepRepository sweeps, RunService runs, TargetRepository targets, ServerClock clock,
                        GapwatchProperties properties, @Value("${gapwatch.sweeps.max-runs:10000}") long maxRuns) {
        this.sweeps = sweeps;
        this.runs = runs;
        this.targets = targets;
        this.clock = clock;
        this.properties = properties;
        this.maxRuns = maxRuns;
    }

    /** POST /api/v1/sweeps: all of it or, when refused, nothing. */
    @Transactional
    public Sweep create(CreateSweepRequest request) {
        List<FieldProblem> problems = new ArrayList<>();
        Matrix matrix = matrix(request.matrix(), problems);
        Baseline baseline = request.baseline() == null ? null : request.baseline().toBaseline("baseline", problems);
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(problems);
        }
        return start(plan(matrix), baseline, null, null);
    }

    /** Validates a matrix as sweeps and schedules take it, under the field "matrix". */
    public Matrix matrix(MatrixRequest request, List<FieldProblem> problems) {
        if (request == null) {
            problems.add(new FieldProblem("matrix", "is required; {} runs the defaults on every kernel the agents serve"));
            return null;
        }
        return request.toMatrix("matrix", maxRuns, problems);
    }

    /**
     * Expands a matrix against the targets registered now. Writes nothing: a refusal (no kernel of it served,
     * too many runs) leaves no trace.
     */
    public SweepPlan plan(Matrix matrix) {
        List<String> kernels = matrix.kernels() != null ? matrix.kernels()
                : targets.servedKernels(matrix.backend()).stream().sorted(Comparator.comparing(KernelVersion::parse)).toList();
        String on = matrix.backend() == null ? "" : " on backend " + matrix.backend();
        if (kernels.isEmpty()) {
            throw new UnservableTargetException("matrix.kernels", "no registered agent serves any kernel" + on
                    + "; GET /api/v1/agents lists the targets agents offer");
        }
        Set<String> served = targets.servedAmong(kernels, matrix.backend());
        List<String> servedKernels = kernels.stream().filter(served::contains).toList();
        if (servedKernels.isEmpty()) {
            throw new UnservableTargetException("matrix.kernels", "no registered agent serves any kernel of this matrix" + on
                    + " (" + abbreviate(kernels) + "); GET /api/v1/agents lists the targets agents offer");
        }
        List<UnservedCell> unserved = new ArrayList<>();
        for (String kernel : kernels) {
            if (!served.contains(kernel)) {
                for (Variant variant : matrix.variants()) {
                    for (int gap : matrix.gapsMs()) {
                        unserved.add(new UnservedCell(kernel, variant, gap));
                    }
                }
            }
        }
        List<FieldProblem> problems = new ArrayList<>();
        MatrixRequest.checkSize("matrix", matrix, servedKernels.size(), maxRuns, problems);
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(problems);
        }
        return new SweepPlan(matrix, servedKernels, List.copyOf(unserved));
    }

    /**
     * Records the sweep and queues its runs, in the caller's transaction. Repeat is the outer loop, so the
     * first pass over every cell finishes before any cell's second run.
     */
    public Sweep start(SweepPlan plan, Baseline baseline, Long scheduleId, Instant dueAt) {
        Matrix m = plan.matrix();
        Sweep sweep = sweeps.insert(m, plan.kernels(), plan.unserved(), baseline, scheduleId, dueAt, clock.now());
        List<NewRun> newRuns = new ArrayList<>();
        for (int repeat = 0; repeat < m.repeats(); repeat++) {
            for (String kernel : plan.kernels()) {
                for (Variant variant : m.variants()) {
                    for (int gap : m.gapsMs()) {
                        newRuns.add(new NewRun(variant, gap, m.iterations(), m.strict(),
                                new RequestedTarget(null, kernel, m.backend()), properties.maxAttempts()));
                    }
                }
            }
        }
        runs.queueForSweep(newRuns, sweep.id());
        return sweep;
    }

    public Sweep find(long id) {
        return sweeps.find(id).orElseThrow(() -> notFound(id));
    }

    public SweepView get(long id) {
        Sweep sweep = find(id);
        return SweepView.of(sweep, runs.countsForSweep(id), runs.samplesForSweep(id));
    }

    public SweepPage list(SweepState state, Long scheduleId, int page, int size) {
        List<SweepView> items = sweeps.list(state, scheduleId, page, size).stream()
                .map(s -> SweepView.of(s, runs.countsForSweep(s.id()), null)).toList();
        return new SweepPage(items, page, size, sweeps.count(state, scheduleId));
    }

    /** Every run of a sweep, oldest first. */
    public List<Run> runs(long id) {
        find(id);
        return runs.runsOfSweep(id);
    }

    /** Cancels a running sweep and every unfinished run of it; finished runs keep their results. */
    @Transactional
    public SweepView cancel(long id) {
        Sweep sweep = sweeps.lock(id).orElseThrow(() -> notFound(id));
        if (sweep.state() != SweepState.RUNNING) {
            throw new ConflictException("sweep " + id + " is already " + sweep.state() + "; only a RUNNING sweep can be cancelled");
        }
        runs.cancelSweepRuns(id);
        sweeps.cancel(id, clock.now());
        return get(id);
    }

    private static NotFoundException notFound(long id) {
        return new NotFoundException("sweep " + id + " does not exist");
    }

    private static String abbreviate(List<String> kernels) {
        return kernels.size() <= 5 ? String.join(", ", kernels)
                : String.join(", ", kernels.subList(0, 5)) + " and " + (kernels.size() - 5) + " more";
    }
}
