package io.gapwatch.server.bisections;

import io.gapwatch.probe.ProbeRequest;
import io.gapwatch.probe.TargetInfo;
import io.gapwatch.probe.Variant;
import io.gapwatch.probe.Verdict;
import io.gapwatch.server.ServerClock;
import io.gapwatch.server.agents.TargetRepository;
import io.gapwatch.server.analysis.BisectionRange;
import io.gapwatch.server.analysis.CompareCategory;
import io.gapwatch.server.analysis.Comparison;
import io.gapwatch.server.analysis.Sample;
import io.gapwatch.server.runs.CreateRunRequest;
import io.gapwatch.server.runs.Run;
import io.gapwatch.server.runs.RunRepository;
import io.gapwatch.server.runs.RunService;
import io.gapwatch.server.series.AnalysisProperties;
import io.gapwatch.server.series.SeriesRepository;
import io.gapwatch.server.series.SeriesService;
import io.gapwatch.server.web.FieldProblem;
import io.gapwatch.server.web.InvalidRequestException;
import io.gapwatch.server.web.NotFoundException;
import io.gapwatch.server.web.UnservableTargetException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Bisection over the served kernels of one series: the good and the bad kernel are each run twice first (is
 * good good, is bad bad?), then the midpoint of the open range, each midpoint twice (the run and its
 * re-verification, as LKP and KernelCI re-verify): both runs must agree with each other, compared with the
 * good kernel's runs, or the bisection stops as FAILED rather than guess. Every step and the answer are rows.
 * Progress is driven by a poll over the database, so any server replica may take a step and a restart loses none.
 */
@Service
public class BisectionService {
    private static final Logger log = LoggerFactory.getLogger(BisectionService.class);
    private static final int MAX_NAME = 200;

    private final BisectionRepository bisections;
    private final BisectionStepRepository steps;
    private final RunService runService;
    private final RunRepository runs;
    private final SeriesRepository series;
    private final SeriesService seriesService;
    private final TargetRepository targets;
    private final ServerClock clock;
    private final AnalysisProperties properties;
    private final TransactionTemplate tx;

    public BisectionService(BisectionRepository bisections, BisectionStepRepository steps, RunService runService,
                            RunRepository runs, SeriesRepository series, SeriesService seriesService,
                            TargetRepository targets, ServerClock clock, AnalysisProperties properties,
                            TransactionTemplate tx) {
        this.bisections = bisections;
        this.steps = steps;
        this.runService = runService;
        this.runs = runs;
        this.series = series;
        this.seriesService = seriesService;
        this.targets = targets;
        this.clock = clock;
        this.properties = properties;
        this.tx = tx;
    }

    /** POST /api/v1/bisections. */
    @Transactional
    public Bisection create(CreateBisectionRequest r) {
        List<FieldProblem> problems = new ArrayList<>();
        name(problems, "good", r.good());
        name(problems, "bad", r.bad());
        String variant = null;
        if (r.variant() == null) {
            problems.add(new FieldProblem("variant", "is required; one of " + Variant.ids()));
        } else {
            try {
                variant = Variant.fromId(r.variant()).id();
            } catch (IllegalArgumentException e) {
                problems.add(new FieldProblem("variant", e.getMessage()));
            }
        }
        int gapMs = r.gapMs() == null ? ProbeRequest.DEFAULT_GAP_MS : r.gapMs();
        if (gapMs < 1 || gapMs > ProbeRequest.MAX_GAP_MS) {
            problems.add(new FieldProblem("gapMs", "must be between 1 and " + ProbeRequest.MAX_GAP_MS + ", was " + gapMs));
        }
        int iterations = r.iterations() == null ? properties.confirmationIterations() : r.iterations();
        if (iterations < properties.minSamples() || iterations > ProbeRequest.MAX_ITERATIONS) {
            problems.add(new FieldProblem("iterations", "must be between " + properties.minSamples()
                    + " (fewer cannot be compared) and " + ProbeRequest.MAX_ITERATIONS + ", was " + iterations));
        }
        if (r.backend() != null && !TargetInfo.BACKENDS.contains(r.backend())) {
            problems.add(new FieldProblem("backend", "must be one of kvm, lab, sim; was '" + r.backend() + "'"));
        }
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(problems);
        }
        for (String field : List.of("good", "bad")) {
            String kernel = field.equals("good") ? r.good() : r.bad();
            if (!targets.anyServes(null, kernel, r.backend())) {
                throw new InvalidRequestException(field, "no registered agent serves kernel '" + kernel + "'"
                        + (r.backend() == null ? "" : " on backend " + r.backend()) + "; GET /api/v1/agents lists the targets");
            }
        }
        String backend = r.backend() != null ? r.backend() : backendServing(r.good(), r.bad());
        try {
            return start(r.good(), r.bad(), variant, gapMs, backend, iterations, null);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("bad", e.getMessage());
        }
    }

    /**
     * Starts a bisection (the regressions' automatic one comes here too): queues the two runs of the good
     * kernel and the two of the bad one.
     *
     * @throws IllegalArgumentException if the kernels are not of one series, or good is not older than bad
     */
    @Transactional
    public Bisection start(String good, String bad, String variant, int gapMs, String backend, int iterations,
                           Long regressionId) {
        BisectionRange range = BisectionRange.between(good, bad, targets.servedKernels(backend));
        Instant now = clock.now();
        Bisection b = bisections.insert(good, bad, variant, gapMs, backend, iterations, range.kernels(),
                regressionId, now);
        queueStep(b, 1, good, StepRole.GOOD, now);
        queueStep(b, 2, bad, StepRole.BAD, now);
        log.info("bisection {} started: {} (good) .. {} (bad), {} kernels between, {} at {} ms on {}", b.id(), good,
                bad, range.kernels().size() - 2, variant, gapMs, backend);
        return b;
    }

    public BisectionView get(long id) {
        Bisection b = bisections.find(id).orElseThrow(() -> new NotFoundException("bisection " + id + " does not exist"));
        return BisectionView.of(b, steps.forBisection(id));
    }

    public BisectionView.Page list(BisectionState state, int page, int size) {
        List<BisectionView> items = bisections.list(state, page, size).stream()
                .map(b -> BisectionView.of(b, steps.forBisection(b.id()))).toList();
        return new BisectionView.Page(items, page, size, bisections.count(state));
    }

    public Optional<Bisection> latestForRegression(long regressionId) {
        return bisections.latestForRegression(regressionId);
    }

    /** Takes every step whose runs have ended. Several replicas may poll: each bisection is locked by one. */
    @Scheduled(fixedDelayString = "${gapwatch.analysis.poll-interval:1s}")
    public void advanceAll() {
        try {
            tx.executeWithoutResult(s -> bisections.lockRunning().forEach(this::advance));
        } catch (DataAccessException e) {
            log.warn("bisections not advanced this time: {}", e.getMessage());
        }
    }

    private void advance(Bisection b) {
        List<BisectionStep> all = steps.forBisection(b.id());
        BisectionStep goodStep = all.stream().filter(s -> s.role() == StepRole.GOOD).findFirst().orElseThrow();
        Instant now = clock.now();
        BisectionRange range = b.range();
        for (BisectionStep step : all) {
            if (step.verdict() != null) {
                continue;
            }
            Optional<Run> first = runs.find(step.runId());
            Optional<Run> second = runs.find(step.verifyRunId());
            if (first.isEmpty() || second.isEmpty() || !first.get().state().finished() || !second.get().state().finished()) {
                return; // steps are decided in order; this one is still running
            }
            if (step.role() != StepRole.GOOD && goodStep.verdict() != StepVerdict.GOOD) {
                return;
            }
            Decision d = decide(step, first.get(), second.get(), goodStep);
            steps.decide(b.id(), step.step(), d.verdict(), d.detail(), now);
            log.info("bisection {} step {}: {} is {} ({})", b.id(), step.step(), step.kernel(), d.verdict().id(), d.detail());
            if (d.verdict() == StepVerdict.UNSTABLE || d.verdict() == StepVerdict.NO_DATA) {
                bisections.fail(b.id(), "step " + step.step() + " (" + step.role().id() + " " + step.kernel() + ") is "
                        + d.verdict().id() + ": " + d.detail(), now);
                return;
            }
            if (step.role() == StepRole.GOOD) {
                goodStep = new BisectionStep(b.id(), step.step(), step.kernel(), step.role(), step.runId(),
                        step.verifyRunId(), d.verdict(), d.detail(), step.createdAt(), now);
                continue;
            }
            if (step.role() == StepRole.BAD && d.verdict() == StepVerdict.GOOD) {
                bisections.fail(b.id(), "the bad kernel " + step.kernel() + " does not regress against the good kernel "
                        + b.good() + ": " + d.detail(), now);
                return;
            }
            if (step.role() == StepRole.MIDPOINT) {
                range = range.narrow(step.kernel(), d.verdict() == StepVerdict.BAD);
                bisections.narrow(b.id(), range.good(), range.bad());
            }
            if (range.done()) {
                bisections.found(b.id(), range.firstBad(), now);
                log.info("bisection {} found the first bad kernel: {} (last good {})", b.id(), range.firstBad(),
                        range.lastGood());
                return;
            }
            try {
                queueStep(b, all.size() + 1, range.next(), StepRole.MIDPOINT, now);
            } catch (UnservableTargetException | InvalidRequestException e) {
                bisections.fail(b.id(), "cannot run the midpoint " + range.next() + ": " + e.getMessage(), now);
            }
            return;
        }
    }

    private record Decision(StepVerdict verdict, String detail) {
    }

    private Decision decide(BisectionStep step, Run first, Run second, BisectionStep goodStep) {
        for (Run r : List.of(first, second)) {
            if (r.verdict() != Verdict.PASS && r.verdict() != Verdict.FAIL) {
                return new Decision(StepVerdict.NO_DATA, "run " + r.id() + " ended " + r.state()
                        + (r.verdict() == null ? "" : " " + r.verdict())
                        + (r.skipReason() != null ? ": " + r.skipReason() : r.error() != null ? ": " + r.error() : ""));
            }
        }
        if (step.role() == StepRole.GOOD) {
            Comparison c = compare(samples(first.id()), samples(second.id()), first);
            boolean agree = c.category() != CompareCategory.REGRESSION && c.category() != CompareCategory.INSUFFICIENT_DATA;
            return new Decision(agree ? StepVerdict.GOOD : StepVerdict.UNSTABLE,
                    "run " + second.id() + " against run " + first.id() + ": " + describe(c));
        }
        List<Sample> reference = new ArrayList<>(samples(goodStep.runId()));
        reference.addAll(samples(goodStep.verifyRunId()));
        Comparison c1 = compare(reference, samples(first.id()), first);
        Comparison c2 = compare(reference, samples(second.id()), first);
        String detail = "against " + goodStep.kernel() + ": run " + first.id() + " " + describe(c1) + "; run "
                + second.id() + " " + describe(c2);
        if (c1.category() == CompareCategory.INSUFFICIENT_DATA || c2.category() == CompareCategory.INSUFFICIENT_DATA) {
            return new Decision(StepVerdict.UNSTABLE, detail);
        }
        boolean bad1 = c1.category() == CompareCategory.REGRESSION;
        boolean bad2 = c2.category() == CompareCategory.REGRESSION;
        return new Decision(bad1 != bad2 ? StepVerdict.UNSTABLE : bad1 ? StepVerdict.BAD : StepVerdict.GOOD, detail);
    }

    private Comparison compare(List<Sample> base, List<Sample> head, Run run) {
        return seriesService.compare(base, head, run.variant().id(), run.gapMs());
    }

    private List<Sample> samples(long runId) {
        return series.samplesOfRuns(List.of(runId));
    }

    private static String describe(Comparison c) {
        var rank = c.tests().isEmpty() ? null : c.tests().get(0);
        return c.category().id() + (rank == null ? "" : String.format(Locale.ROOT,
                " (median errorNs %.0f -> %.0f, %s p=%.2g)", c.base().medianErrorNs(), c.head().medianErrorNs(),
                rank.test(), rank.pValue()));
    }

    private void queueStep(Bisection b, int step, String kernel, StepRole role, Instant now) {
        String why = "bisection " + b.id() + ", step " + step + " (" + role.id() + " " + kernel + ")";
        CreateRunRequest request = new CreateRunRequest(b.variant(), b.gapMs(), b.iterations(), false,
                new CreateRunRequest.TargetRequest(null, kernel, b.backend()));
        long run = runService.create(request, why).id();
        long verify = runService.create(request, why + ", re-verification").id();
        steps.insert(b.id(), step, kernel, role, run, verify, now);
    }

    private String backendServing(String good, String bad) {
        for (String backend : List.of("kvm", "lab", "sim")) {
            if (targets.anyServes(null, good, backend) && targets.anyServes(null, bad, backend)) {
                return backend;
            }
        }
        throw new InvalidRequestException("backend", "no backend has agents serving both '" + good + "' and '" + bad
                + "'; GET /api/v1/agents lists the targets");
    }

    private static void name(List<FieldProblem> problems, String field, String value) {
        if (value == null || value.isBlank()) {
            problems.add(new FieldProblem(field, "is required: a kernel release"));
        } else if (value.length() > MAX_NAME || value.chars().anyMatch(Character::isISOControl)) {
            problems.add(new FieldProblem(field, "must be 1.." + MAX_NAME + " characters without control characters"));
        }
    }
}
