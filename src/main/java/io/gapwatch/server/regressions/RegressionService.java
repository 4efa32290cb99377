package io.gapwatch.server.regressions;

import io.gapwatch.probe.Variant;
import io.gapwatch.probe.Verdict;
import io.gapwatch.server.ServerClock;
import io.gapwatch.server.analysis.ChangePoint;
import io.gapwatch.server.analysis.ChangePointDetector;
import io.gapwatch.server.analysis.CompareCategory;
import io.gapwatch.server.analysis.Comparison;
import io.gapwatch.server.analysis.KernelVersion;
import io.gapwatch.server.analysis.Sample;
import io.gapwatch.server.analysis.SeriesStatistics;
import io.gapwatch.server.bisections.Bisection;
import io.gapwatch.server.bisections.BisectionService;
import io.gapwatch.server.bisections.BisectionState;
import io.gapwatch.server.runs.CreateRunRequest;
import io.gapwatch.server.runs.Run;
import io.gapwatch.server.runs.RunRepository;
import io.gapwatch.server.runs.RunService;
import io.gapwatch.server.series.AnalysisProperties;
import io.gapwatch.server.series.ComparisonView;
import io.gapwatch.server.series.SeriesKey;
import io.gapwatch.server.series.SeriesRepository;
import io.gapwatch.server.series.SeriesService;
import io.gapwatch.server.series.RunSample;
import io.gapwatch.server.sweeps.Sweep;
import io.gapwatch.server.sweeps.SweepCompleted;
import io.gapwatch.server.sweeps.SweepRepository;
import io.gapwatch.server.web.ConflictException;
import io.gapwatch.server.web.InvalidRequestException;
import io.gapwatch.server.web.NotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.dao.DataAccessException;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Regressions, after every sweep: each cell (kernel, variant, gap, backend) is compared with its baseline, and the
 * kernel's own nightly series is searched for a change point. A suspect gets confirmation runs (the suspect kernel
 * and its baseline, re-run now) and is declared ACTIVE only if they confirm it, as KernelCI learned to do
 * (kernelci-pipeline#853); then it is bisected. A negative control that passes is declared at once. Each ACTIVE
 * regression turns FIXED after {@code cleanSweepsToFix} consecutive sweeps that no longer show it.
 */
@Service
public class RegressionService {
    private static final Logger log = LoggerFactory.getLogger(RegressionService.class);
    private static final int MAX_REASON = 1000;
    /** Samples of a kernel's recent history read for change points: enough for the window at any sweep shape. */
    private static final int HISTORY_SAMPLES = 20_000;

    private final RegressionRepository regressions;
    private final RegressionRunRepository evidence;
    private final SweepAnalysisRepository analyses;
    private final SweepRepository sweeps;
    private final RunRepository runs;
    private final RunService runService;
    private final SeriesRepository series;
    private final SeriesService seriesService;
    private final ChangePointDetector changePoints;
    private final BisectionService bisections;
    private final ServerClock clock;
    private final AnalysisProperties properties;
    private final TransactionTemplate tx;

    public RegressionService(RegressionRepository regressions, RegressionRunRepository evidence,
                             SweepAnalysisRepository analyses, SweepRepository sweeps, RunRepository runs,
                             RunService runService, SeriesRepository series, SeriesService seriesService,
                             ChangePointDetector changePoints, BisectionService bisections, ServerClock clock,
                             AnalysisProperties properties, TransactionTemplate tx) {
        this.regressions = regressions;
        this.evidence = evidence;
        this.analyses = analyses;
        this.sweeps = sweeps;
        this.runs = runs;
        this.runService = runService;
        this.series = series;
        this.seriesService = seriesService;
        this.changePoints = changePoints;
        this.bisections = bisections;
        this.clock = clock;
        this.properties = properties;
        this.tx = tx;
    }

    public RegressionView.Page list(RegressionState state, int page, int size) {
        List<RegressionView> items = regressions.list(state, page, size).stream().map(this::view).toList();
        return new RegressionView.Page(items, page, size, regressions.count(state));
    }

    public RegressionView get(long id) {
        return view(regressions.find(id).orElseThrow(() -> notFound(id)));
    }

    public RegressionView acknowledge(long id, AcknowledgeRequest request) {
        String reason = request == null ? null : request.reason();
        if (reason == null || reason.isBlank()) {
            throw new InvalidRequestException("reason", "is required: why this regression is known and accepted");
        }
        if (reason.length() > MAX_REASON || reason.chars().anyMatch(c -> Character.isISOControl(c) && c != '\n')) {
            throw new InvalidRequestException("reason", "must be at most " + MAX_REASON + " characters without control characters");
        }
        tx.executeWithoutResult(s -> {
            Regression r = regressions.lock(id).orElseThrow(() -> notFound(id));
            if (r.state() != RegressionState.ACTIVE) {
                throw new ConflictException("regression " + id + " is " + r.state() + "; only an ACTIVE one can be acknowledged");
            }
            regressions.acknowledge(id, reason.strip());
        });
        log.info("regression {} acknowledged: {}", id, reason.strip());
        return get(id);
    }

    @EventListener
    public void onSweepCompleted(SweepCompleted event) {
        analyse(event.sweepId());
    }

    /**
     * Catches up sweeps whose event no server heard (a crash, a restart), decides suspects whose confirmation runs
     * have ended, and moves regressions to the first bad kernel their bisection found.
     */
    @Scheduled(fixedDelayString = "${gapwatch.analysis.poll-interval:1s}")
    public void poll() {
        try {
            for (long sweepId : analyses.unanalysed(10)) {
                analyse(sweepId);
            }
            tx.executeWithoutResult(s -> regressions.lockInState(RegressionState.SUSPECTED).forEach(this::confirmIfDone));
            tx.executeWithoutResult(s -> {
                regressions.lockInState(RegressionState.ACTIVE).forEach(this::followBisection);
                regressions.lockInState(RegressionState.ACKNOWLEDGED).forEach(this::followBisection);
            });
        } catch (DataAccessException e) {
            log.warn("regressions not advanced this time: {}", e.getMessage());
        }
    }

    /** Analyses a completed sweep once (whichever replica claims it); a failure leaves it for the next poll. */
    void analyse(long sweepId) {
        try {
            tx.executeWithoutResult(s -> analyseClaimed(sweepId));
        } catch (RuntimeException e) {
            log.warn("sweep {} not analysed yet (next poll retries): {}", sweepId, e.toString());
        }
    }

    private void analyseClaimed(long sweepId) {
        Instant now = clock.now();
        if (!analyses.claim(sweepId, now)) {
            return;
        }
        Sweep sweep = sweeps.find(sweepId).orElse(null);
        if (sweep == null) {
            analyses.summarise(sweepId, "sweep gone");
            return;
        }
        Map<SeriesKey, List<Run>> cells = cells(runs.forSweep(sweepId));
        String baselineKernel = sweep.baseline() == null ? null : sweep.baseline().kernel();
        Map<SeriesKey, List<Run>> previous = sweep.baseline() != null && sweep.baseline().previousSweep()
                ? sweeps.previousOfSchedule(sweep).map(p -> cells(runs.forSweep(p.id()))).orElse(Map.of())
                : Map.of();

        Set<SeriesKey> flagged = new HashSet<>();
        Set<SeriesKey> clean = new HashSet<>();
        Map<String, Integer> categories = new TreeMap<>();
        for (var cell : cells.entrySet()) {
            SeriesKey key = cell.getKey();
            List<Run> head = cell.getValue();
            if (Variant.fromId(key.variant()) == Variant.CLOCK_FROZEN) {
                List<Run> passed = head.stream().filter(r -> r.verdict() == Verdict.PASS).toList();
                if (passed.isEmpty()) {
                    clean.add(key);
                } else {
                    flagged.add(key);
                    negativeControlPassed(key, passed, sweep, now);
                }
                continue;
            }
            Baseline base = baseline(key, baselineKernel, cells, previous);
            if (base != null) {
                Comparison c = seriesService.compare(base.samples(), samples(head), key.variant(), key.gapMs());
                categories.merge(c.category().id(), 1, Integer::sum);
                if (c.category() == CompareCategory.REGRESSION) {
                    flagged.add(key);
                    suspect(key, RegressionKind.COMPARE, base.kernel(), base.runIds(), ids(head), c,
                            lastGood(key, clean, baselineKernel), sweep, now);
                    continue;
                }
                if (c.category() != CompareCategory.INSUFFICIENT_DATA) {
                    clean.add(key);
                }
            }
            if (changePointAtThisSweep(key, head, sweep, now, lastGood(key, clean, baselineKernel))) {
                flagged.add(key);
                clean.remove(key);
            }
        }
        int fixed = trackOpenRegressions(cells.keySet(), flagged, clean, sweep, now);
        String summary = cells.size() + " cells, compared with the baseline: " + categories + "; " + flagged.size()
                + " showing a regression, " + fixed + " regressions fixed";
        analyses.summarise(sweepId, summary);
        log.info("sweep {} analysed: {}", sweepId, summary);
    }

    /** What a cell is compared with: the baseline kernel's runs in this sweep, else its stored series; or the previous sweep. */
    private record Baseline(String kernel, List<Sample> samples, List<Long> runIds) {
    }

    private Baseline baseline(SeriesKey key, String baselineKernel, Map<SeriesKey, List<Run>> cells,
                              Map<SeriesKey, List<Run>> previous) {
        if (baselineKernel != null) {
            if (baselineKernel.equals(key.kernel())) {
                return null;
            }
            SeriesKey baseKey = new SeriesKey(baselineKernel, key.variant(), key.gapMs(), key.backend());
            List<Run> inSweep = cells.get(baseKey);
            if (inSweep != null) {
                return new Baseline(baselineKernel, samples(inSweep), ids(inSweep));
            }
            return series.find(baseKey)
                    .map(row -> new Baseline(baselineKernel, series.samples(row.id()), List.<Long>of()))
                    .orElse(null);
        }
        List<Run> before = previous.get(key);
        return before == null ? null : new Baseline(key.kernel(), samples(before), ids(before));
    }

    /** The newest kernel of the same series, older than the cell's, that this sweep found clean; else the baseline. */
    private static String lastGood(SeriesKey key, Set<SeriesKey> clean, String baselineKernel) {
        KernelVersion k = KernelVersion.parse(key.kernel());
        Optional<KernelVersion> newestClean = clean.stream()
                .filter(c -> c.variant().equals(key.variant()) && c.gapMs() == key.gapMs() && c.backend().equals(key.backend()))
                .map(c -> KernelVersion.parse(c.kernel()))
                .filter(c -> c.sameSeries(k) && c.compareTo(k) < 0)
                .max(Comparator.naturalOrder());
        if (newestClean.isPresent()) {
            return newestClean.get().release();
        }
        if (baselineKernel != null) {
            KernelVersion b = KernelVersion.parse(baselineKernel);
            if (b.sameSeries(k) && b.compareTo(k) < 0) {
                return baselineKernel;
            }
        }
        return null;
    }

    /**
     * Change points in the kernel's own series, per-run medians of errorNs in time order. Only a change that
     * begins among the latest points (it became detectable with this sweep) and makes the error worse by at
     * least the effect floor raises a suspect; an old one was raised when it was new.
     */
    private boolean changePointAtThisSweep(SeriesKey key, List<Run> head, Sweep sweep, Instant now, String lastGood) {
        Optional<Long> seriesId = series.find(key).map(r -> r.id());
        if (seriesId.isEmpty()) {
            return false;
        }
        Map<Long, List<Sample>> byRun = new LinkedHashMap<>();
        for (RunSample t : series.recentSamples(seriesId.get(), HISTORY_SAMPLES)) {
            byRun.computeIfAbsent(t.runId(), id -> new ArrayList<>()).add(t.sample());
        }
        // A change older than two windows was new long ago; the detector's cost grows with the square of the points.
        int keep = 2 * properties.changePointWindow() + head.size();
        List<Long> allRuns = new ArrayList<>(byRun.keySet());
        List<Long> runIds = allRuns.subList(Math.max(0, allRuns.size() - keep), allRuns.size());
        double[] medians = runIds.stream().mapToDouble(id -> SeriesStatistics.of(byRun.get(id)).medianErrorNs()).toArray();
        List<ChangePoint> points = changePoints.detect(medians);
        if (points.isEmpty()) {
            return false;
        }
        ChangePoint last = points.get(points.size() - 1);
        int recent = properties.changePointMinSegment() + head.size();
        double worsening = Math.abs(last.meanAfter()) - Math.abs(last.meanBefore());
        if (last.index() < medians.length - recent || worsening < properties.compareSettings().effectFloorNs(key.gapMs())) {
            return false;
        }
        int from = Math.max(0, last.index() - properties.changePointWindow());
        List<Long> before = runIds.subList(from, last.index());
        List<Long> after = runIds.subList(last.index(), runIds.size());
        Comparison c = seriesService.compare(series.samplesOfRuns(before), series.samplesOfRuns(after), key.variant(),
                key.gapMs());
        suspect(key, RegressionKind.CHANGE_POINT, key.kernel(), before, after, c, lastGood, sweep, now);
        return true;
    }

    /**
     * A cell showing a regression: a new SUSPECTED regression with confirmation runs queued, or more evidence
     * for the open regression of its kernel series (moved to this kernel if it is an older one).
     */
    private void suspect(SeriesKey key, RegressionKind kind, String baselineKernel, List<Long> baseRuns,
                         List<Long> headRuns, Comparison c, String lastGood, Sweep sweep, Instant now) {
        KernelVersion kernel = KernelVersion.parse(key.kernel());
        Optional<Regression> open = regressions.lockOpen(kernel.series(), key.variant(), key.gapMs(), key.backend());
        if (open.isPresent()) {
            Regression r = open.get();
            if (kernel.compareTo(KernelVersion.parse(r.kernel())) < 0) {
                regressions.moveTo(r.id(), key.kernel(), lastGood);
            }
            regressions.seen(r.id(), now);
            evidence.add(r.id(), headRuns, EvidenceRole.SUSPECT);
            evidence.add(r.id(), baseRuns, EvidenceRole.BASELINE);
            return;
        }
        int iterations = Math.max(properties.confirmationIterations(),
                sweep.matrix() == null ? 0 : sweep.matrix().iterations());
        Regression r = regressions.insert(RegressionState.SUSPECTED, kind, key.kernel(), kernel.series(), key.variant(),
                key.gapMs(), key.backend(), baselineKernel, lastGood, iterations, sweep.id(), ComparisonView.of(key, c),
                "suspected after sweep " + sweep.id() + ": " + c.reason() + "; confirmation runs queued", now);
        evidence.add(r.id(), headRuns, EvidenceRole.SUSPECT);
        evidence.add(r.id(), baseRuns, EvidenceRole.BASELINE);
        try {
            evidence.add(r.id(), List.of(confirmationRun(r, key.kernel(), "suspect")), EvidenceRole.CONFIRM_SUSPECT);
            if (baselineKernel != null && !baselineKernel.equals(key.kernel())) {
                evidence.add(r.id(), List.of(confirmationRun(r, baselineKernel, "baseline")), EvidenceRole.CONFIRM_BASELINE);
            }
        } catch (RuntimeException e) {
            regressions.resolve(r.id(), RegressionState.DISMISSED, "cannot queue its confirmation runs: " + e.getMessage(), now);
            return;
        }
        log.info("regression {} suspected: {} {} at {} ms on {} ({}) against {}; confirming", r.id(), key.kernel(),
                key.variant(), key.gapMs(), key.backend(), kind.id(), baselineKernel);
    }

    private long confirmationRun(Regression r, String kernel, String side) {
        CreateRunRequest request = new CreateRunRequest(r.variant(), r.gapMs(), r.iterations(), false,
                new CreateRunRequest.TargetRequest(null, kernel, r.backend()));
        return runService.create(request, "confirmation of regression " + r.id() + " (" + side + " " + kernel + ")").id();
    }

    /** The negative control passed: the harness cannot see a lost gap. An alarm at once, without confirmation. */
    private void negativeControlPassed(SeriesKey key, List<Run> passed, Sweep sweep, Instant now) {
        KernelVersion kernel = KernelVersion.parse(key.kernel());
        Optional<Regression> open = regressions.lockOpen(kernel.series(), key.variant(), key.gapMs(), key.backend());
        if (open.isPresent()) {
            regressions.seen(open.get().id(), now);
            evidence.add(open.get().id(), ids(passed), EvidenceRole.SUSPECT);
            return;
        }
        SeriesStatistics s = SeriesStatistics.of(samples(passed));
        Regression r = regressions.insert(RegressionState.ACTIVE, RegressionKind.NEGATIVE_CONTROL, key.kernel(),
                kernel.series(), key.variant(), key.gapMs(), key.backend(), null, null, 0, sweep.id(), null,
                "the negative control " + key.variant() + " PASSed on " + key.kernel() + " in sweep " + sweep.id()
                        + " (" + passed.size() + " runs, pass rate " + s.passRate() + "): a lost gap went unnoticed,"
                        + " the harness is blind; raised at once, without confirmation", now);
        evidence.add(r.id(), ids(passed), EvidenceRole.SUSPECT);
        log.warn("regression {}: negative control {} passed on {} in sweep {}", r.id(), key.variant(), key.kernel(), sweep.id());
    }

    /**
     * Open regressions the sweep looked at again: shown again (the clean streak resets, done in suspect), or clean
     * in every cell of their series at or after their kernel: one more clean sweep, FIXED after enough of them.
     */
    private int trackOpenRegressions(Set<SeriesKey> cells, Set<SeriesKey> flagged, Set<SeriesKey> clean, Sweep sweep,
                                     Instant now) {
        int fixed = 0;
        List<Regression> open = new ArrayList<>(regressions.lockAllInState(RegressionState.ACTIVE));
        open.addAll(regressions.lockAllInState(RegressionState.ACKNOWLEDGED));
        for (Regression r : open) {
            KernelVersion k = KernelVersion.parse(r.kernel());
            List<SeriesKey> relevant = cells.stream()
                    .filter(c -> c.variant().equals(r.variant()) && c.gapMs() == r.gapMs() && c.backend().equals(r.backend()))
                    .filter(c -> {
                        KernelVersion v = KernelVersion.parse(c.kernel());
                        return v.sameSeries(k) && v.compareTo(k) >= 0;
                    })
                    .toList();
            if (relevant.isEmpty() || relevant.stream().anyMatch(flagged::contains)
                    || !relevant.stream().allMatch(clean::contains)) {
                continue;
            }
            int streak = r.cleanSweeps() + 1;
            if (streak >= properties.cleanSweepsToFix()) {
                regressions.resolve(r.id(), RegressionState.FIXED, "back to baseline for " + streak
                        + " consecutive sweeps (the last: sweep " + sweep.id() + ")", now);
                log.info("regression {} FIXED: {} clean sweeps", r.id(), streak);
                fixed++;
            } else {
                regressions.clean(r.id(), streak);
            }
        }
        return fixed;
    }

    /** A suspect whose confirmation runs have all ended: ACTIVE if they show it again, else DISMISSED. */
    private void confirmIfDone(Regression r) {
        List<Evidence> all = evidence.forRegression(r.id());
        List<Long> confirmSuspect = runsOf(all, EvidenceRole.CONFIRM_SUSPECT);
        List<Long> confirmBaseline = runsOf(all, EvidenceRole.CONFIRM_BASELINE);
        List<Run> confirmations = new ArrayList<>();
        for (long id : concat(confirmSuspect, confirmBaseline)) {
            Optional<Run> run = runs.find(id);
            if (run.isEmpty() || !run.get().state().finished()) {
                return;
            }
            confirmations.add(run.get());
        }
        Instant now = clock.now();
        for (Run run : confirmations) {
            if (run.verdict() != Verdict.PASS && run.verdict() != Verdict.FAIL) {
                regressions.resolve(r.id(), RegressionState.DISMISSED, "confirmation run " + run.id() + " ended "
                        + run.state() + (run.verdict() == null ? "" : " " + run.verdict()) + ": nothing to confirm with", now);
                return;
            }
        }
        List<Sample> base = series.samplesOfRuns(confirmBaseline.isEmpty()
                ? runsOf(all, EvidenceRole.BASELINE) : confirmBaseline);
        Comparison c = seriesService.compare(base, series.samplesOfRuns(confirmSuspect), r.variant(), r.gapMs());
        if (c.category() != CompareCategory.REGRESSION) {
            regressions.resolve(r.id(), RegressionState.DISMISSED, "not confirmed by re-runs: " + c.category().id()
                    + " (" + c.reason() + ")", now);
            log.info("regression {} dismissed: re-runs say {}", r.id(), c.category().id());
            return;
        }
        regressions.declare(r.id(), ComparisonView.of(r.key(), c), "confirmed by re-runs: " + c.reason(), now);
        log.warn("regression {} ACTIVE: {} {} at {} ms on {}: {}", r.id(), r.kernel(), r.variant(), r.gapMs(),
                r.backend(), c.reason());
        if (r.lastGoodKernel() != null) {
            try {
                bisections.start(r.lastGoodKernel(), r.kernel(), r.variant(), r.gapMs(), r.backend(), r.iterations(), r.id());
            } catch (RuntimeException e) {
                log.info("regression {} not bisected: {}", r.id(), e.getMessage());
            }
        }
    }

    /** A bisection of the regression found the first bad kernel: the regression is that kernel's. */
    private void followBisection(Regression r) {
        bisections.latestForRegression(r.id())
                .filter(b -> b.state() == BisectionState.FOUND && !b.firstBad().equals(r.kernel()))
                .ifPresent(b -> {
                    regressions.moveTo(r.id(), b.firstBad(), b.kernels().get(b.goodIndex()));
                    log.info("regression {} is {}'s: bisection {} found it", r.id(), b.firstBad(), b.id());
                });
    }

    private RegressionView view(Regression r) {
        Bisection b = bisections.latestForRegression(r.id()).orElse(null);
        return RegressionView.of(r, evidence.forRegression(r.id()), b);
    }

    /** A sweep's runs with measurements, by cell, cells ordered so that older kernels of a series come first. */
    private static Map<SeriesKey, List<Run>> cells(List<Run> sweepRuns) {
        Comparator<SeriesKey> order = Comparator.comparing(SeriesKey::variant).thenComparingInt(SeriesKey::gapMs)
                .thenComparing(SeriesKey::backend).thenComparing(k -> KernelVersion.parse(k.kernel()));
        return sweepRuns.stream()
                .filter(r -> r.kernelRelease() != null && r.backend() != null
                        && (r.verdict() == Verdict.PASS || r.verdict() == Verdict.FAIL))
                .collect(Collectors.groupingBy(r -> new SeriesKey(r.kernelRelease(), r.variant().id(), r.gapMs(), r.backend()),
                        () -> new TreeMap<>(order), Collectors.toList()));
    }

    private List<Sample> samples(List<Run> runList) {
        return series.samplesOfRuns(ids(runList));
    }

    private static List<Long> ids(List<Run> runList) {
        return runList.stream().map(Run::id).toList();
    }

    private static List<Long> runsOf(List<Evidence> all, EvidenceRole role) {
        return all.stream().filter(e -> e.role() == role).map(Evidence::runId).toList();
    }

    private static List<Long> concat(List<Long> a, List<Long> b) {
        List<Long> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static NotFoundException notFound(long id) {
        return new NotFoundException("regression " + id + " does not exist");
    }
}
