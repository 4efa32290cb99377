package io.gapwatch.server.bisections;

import io.gapwatch.probe.ErrorKind;
import io.gapwatch.probe.TargetInfo;
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
import io.gapwatch.server.series.ComparedRuns;
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
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Bisection over the served kernels of one series: the good and the bad kernel are each run twice first (is
 * good good, is bad bad?), then the midpoint of the open range, each midpoint twice (the run and its
 * re-verification, as LKP and KernelCI re-verify): both runs must agree with each other, compared with the
 * good kernel's runs, or the bisection stops as FAILED rather than guess. A midpoint that cannot be tested (its
 * kernel did not build, or cannot run the probe) is skipped and the untested kernel nearest the middle runs instead,
 * as {@code git bisect skip} does; when only skipped kernels are left, the answer is AMBIGUOUS: the first bad is one
 * of them or the first known bad. Every step and the answer are rows.
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
        ComparedRuns runs = ComparedRuns.of(r.variant(), r.gapMs(), r.iterations(), null, properties, problems);
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
            return start(r.good(), r.bad(), runs.variant(), runs.gapMs(), backend, runs.iterations(), null);
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

    /**
     * Starts a bisection over an explicit, ordered kernel list (a patch series' prefixes, which no version order
     * knows): the first kernel is the good one, the last the bad one. Their two runs each, already finished (the
     * sweep that found the regression ran each twice), are the first two steps: they are decided at the next poll
     * like any step, not run again. Midpoints are queued as usual.
     */
    @Transactional
    public Bisection startOver(List<String> kernels, String variant, int gapMs, String backend, int iterations,
                               StepRuns good, StepRuns bad) {
        BisectionRange range = new BisectionRange(kernels, 0, kernels.size() - 1);
        Instant now = clock.now();
        Bisection b = bisections.insert(range.lastGood(), range.firstBad(), variant, gapMs, backend, iterations,
                range.kernels(), null, now);
        steps.insert(b.id(), 1, range.lastGood(), StepRole.GOOD, good.runId(), good.verifyRunId(), now);
        steps.insert(b.id(), 2, range.firstBad(), StepRole.BAD, bad.runId(), bad.verifyRunId(), now);
        log.info("bisection {} started over {} listed kernels: {} (good) .. {} (bad), {} at {} ms on {}", b.id(),
                kernels.size(), range.lastGood(), range.firstBad(), variant, gapMs, backend);
        return b;
    }

    /** Two finished runs of one kernel, taken as a step: the run and its re-verification. */
    public record StepRuns(long runId, long verifyRunId) {
    }

    public Optional<Bisection> find(long id) {
        return bisections.find(id);
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
        Set<String> skipped = new HashSet<>();
        all.stream().filter(s -> s.verdict() == StepVerdict.SKIPPED).forEach(s -> skipped.add(s.kernel()));
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
            if (d.verdict() == StepVerdict.SKIPPED) {
                skipped.add(step.kernel());
            } else if (step.role() == StepRole.MIDPOINT) {
                range = range.narrow(step.kernel(), d.verdict() == StepVerdict.BAD);
                bisections.narrow(b.id(), range.good(), range.bad());
            }
            if (range.done()) {
                bisections.found(b.id(), range.firstBad(), now);
                log.info("bisection {} found the first bad kernel: {} (last good {})", b.id(), range.firstBad(),
                        range.lastGood());
                return;
            }
            Optional<String> next = range.next(skipped);
            if (next.isEmpty()) {
                List<String> candidates = range.firstBadCandidates(skipped);
                bisections.ambiguous(b.id(), candidates, "only kernels that could not be tested are left between "
                        + range.lastGood() + " (good) and " + range.firstBad() + " (bad): the first bad is one of "
                        + String.join(", ", candidates), now);
                log.info("bisection {} is ambiguous: the first bad is one of {}", b.id(), candidates);
                return;
            }
            try {
                queueStep(b, all.size() + 1, next.get(), StepRole.MIDPOINT, now);
            } catch (UnservableTargetException | InvalidRequestException e) {
                bisections.fail(b.id(), "cannot run the midpoint " + next.get() + ": " + e.getMessage(), now);
            }
            return;
        }
    }

    private record Decision(StepVerdict verdict, String detail) {
    }

    private Decision decide(BisectionStep step, Run first, Run second, BisectionStep goodStep) {
        if (step.role() == StepRole.MIDPOINT) {
            for (Run r : List.of(first, second)) {
                if (untestable(r)) {
                    return new Decision(StepVerdict.SKIPPED, "run " + r.id() + " ended " + r.verdict()
                            + (r.skipReason() != null ? ": " + r.skipReason() : ": " + r.error()) + "; stepped around");
                }
            }
        }
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

    /** The kernel cannot say anything: it did not build, or it cannot run the probe (SKIP). Not a failure of the run. */
    private static boolean untestable(Run r) {
        return r.verdict() == Verdict.SKIP || (r.verdict() == Verdict.ERROR && r.errorKind() == ErrorKind.BUILD);
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
