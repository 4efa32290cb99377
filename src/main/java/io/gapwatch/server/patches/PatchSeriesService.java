package io.gapwatch.server.patches;

import io.gapwatch.client.BuildRecipe;
import io.gapwatch.probe.Variant;
import io.gapwatch.probe.Verdict;
import io.gapwatch.server.ServerClock;
import io.gapwatch.server.agents.TargetRepository;
import io.gapwatch.server.analysis.CompareCategory;
import io.gapwatch.server.analysis.Comparison;
import io.gapwatch.server.bisections.Bisection;
import io.gapwatch.server.bisections.BisectionService;
import io.gapwatch.server.bisections.BisectionState;
import io.gapwatch.server.bisections.BisectionStep;
import io.gapwatch.server.bisections.BisectionView;
import io.gapwatch.server.runs.Run;
import io.gapwatch.server.runs.RunRepository;
import io.gapwatch.server.runs.RunService;
import io.gapwatch.server.series.AnalysisProperties;
import io.gapwatch.server.series.ComparedRuns;
import io.gapwatch.server.series.SeriesRepository;
import io.gapwatch.server.series.SeriesService;
import io.gapwatch.server.sweeps.Matrix;
import io.gapwatch.server.sweeps.MatrixRequest;
import io.gapwatch.server.sweeps.Sweep;
import io.gapwatch.server.sweeps.SweepService;
import io.gapwatch.server.sweeps.SweepState;
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

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * Patch series: a base kernel source and ordered patches, tested before they land. The base (k = 0) and the full
 * series (k = n) are swept, each twice, with the existing sweep machinery; the full series is compared with the
 * base by the compare rules; on a regression the prefixes k = 0..n are bisected (the sweep's runs are the first two
 * steps) and the first bad patch is the answer. A run of a prefix never built leases to a builder agent, which
 * builds it. Progress is a poll over the database, like the bisections': any replica may take a step, a restart
 * loses none.
 */
@Service
public class PatchSeriesService {
    private static final Logger log = LoggerFactory.getLogger(PatchSeriesService.class);
    /** The contract's bound on a recipe travelling inline in a lease. */
    static final int MAX_RECIPE_BYTES = 4 * 1024 * 1024;
    static final int MAX_PATCHES = 200;
    /** The base and the full series each run this often in the sweep: the bisection's good and bad step. */
    private static final int RUNS_PER_END = 2;
    private static final Pattern SUBJECT = Pattern.compile("(?m)^Subject:[ \\t]*\\S");
    private static final Pattern DIFF = Pattern.compile("(?m)^(diff |--- )");
    private static final Pattern CONFIG_LINE = Pattern.compile("CONFIG_[A-Za-z0-9_]+=\\S.*|# CONFIG_[A-Za-z0-9_]+ is not set|#.*");

    private final PatchSeriesRepository series;
    private final PatchRepository patches;
    private final KernelRecipeRepository recipes;
    private final SweepService sweeps;
    private final BisectionService bisections;
    private final RunService runService;
    private final RunRepository runs;
    private final SeriesRepository measurements;
    private final SeriesService compare;
    private final TargetRepository targets;
    private final ServerClock clock;
    private final AnalysisProperties analysis;
    private final TransactionTemplate tx;

    public PatchSeriesService(PatchSeriesRepository series, PatchRepository patches, KernelRecipeRepository recipes,
                              SweepService sweeps, BisectionService bisections, RunService runService, RunRepository runs,
                              SeriesRepository measurements, SeriesService compare, TargetRepository targets,
                              ServerClock clock, AnalysisProperties analysis, TransactionTemplate tx) {
        this.series = series;
        this.patches = patches;
        this.recipes = recipes;
        this.sweeps = sweeps;
        this.bisections = bisections;
        this.runService = runService;
        this.runs = runs;
        this.measurements = measurements;
        this.compare = compare;
        this.targets = targets;
        this.clock = clock;
        this.analysis = analysis;
        this.tx = tx;
    }

    /** POST /api/v1/series: the series, its recipes and its sweep, or (refused) nothing. */
    @Transactional
    public PatchSeries submit(SubmitSeriesRequest r) {
        List<FieldProblem> problems = new ArrayList<>();
        BuildRecipe recipe = recipe(r, problems);
        ComparedRuns runs = ComparedRuns.of(r.variant(), r.gapMs(), r.iterations(), Variant.CLOCK_REALTIME, analysis, problems);
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(problems);
        }
        String base = recipe.prefix(0).release();
        String full = recipe.release();
        PatchSeries s = series.insert(recipe.base(), recipe.configFragment(), runs.variant(), runs.gapMs(), runs.iterations(),
                clock.now());
        patches.insertAll(s.id(), recipe.patches());
        for (int k = 0; k <= recipe.patches().size(); k++) {
            recipes.register(recipe.prefix(k).release(), recipe.base(), s.id(), k);
        }
        if (!targets.anyServes(null, base, null)) {
            throw new UnservableTargetException("base", "no registered agent builds kernels from source " + recipe.base()
                    + ": start a lab agent with --build-source " + recipe.base() + " (GET /api/v1/agents lists the targets)");
        }
        List<FieldProblem> matrixProblems = new ArrayList<>();
        Matrix matrix = new MatrixRequest(List.of(base, full), null, List.of(runs.variant()), List.of(runs.gapMs()),
                runs.iterations(), RUNS_PER_END, false).toMatrix("matrix", Long.MAX_VALUE, matrixProblems);
        if (matrix == null) {
            throw new IllegalStateException("a series' own matrix was refused: " + matrixProblems);
        }
        Sweep sweep = sweeps.start(sweeps.plan(matrix), null, null, null);
        series.sweeping(s.id(), sweep.id());
        log.info("patch series {} submitted: {} patches on {} ({} .. {}), sweep {}", s.id(), recipe.patches().size(),
                recipe.base(), base, full, sweep.id());
        return series.find(s.id()).orElseThrow();
    }

    private static BuildRecipe recipe(SubmitSeriesRequest r, List<FieldProblem> problems) {
        if (r.base() == null || r.base().isBlank()) {
            problems.add(new FieldProblem("base", "is required: a kernel source version, e.g. 6.12.117"));
        }
        long bytes = 0;
        List<String> texts = new ArrayList<>();
        if (r.patches() == null || r.patches().isEmpty()) {
            problems.add(new FieldProblem("patches", "must list at least one patch: [{\"text\": \"From ...\\nSubject: ...\"}]"));
        } else if (r.patches().size() > MAX_PATCHES) {
            problems.add(new FieldProblem("patches", "lists " + r.patches().size() + " patches; at most " + MAX_PATCHES));
        } else {
            for (int i = 0; i < r.patches().size(); i++) {
                String field = "patches[" + i + "].text";
                String text = r.patches().get(i) == null ? null : r.patches().get(i).text();
                if (text == null || text.isBlank()) {
                    problems.add(new FieldProblem(field, "is required: the patch as git format-patch writes it"));
                    continue;
                }
                if (text.indexOf('\0') >= 0) {
                    problems.add(new FieldProblem(field, "contains a NUL character"));
                } else if (!SUBJECT.matcher(header(text)).find()) {
                    problems.add(new FieldProblem(field, "has no Subject: line in its header; a patch is named by its subject"));
                } else if (!DIFF.matcher(text).find()) {
                    problems.add(new FieldProblem(field, "has no diff (no line starting with 'diff ' or '--- ')"));
                }
                bytes += text.getBytes(StandardCharsets.UTF_8).length;
                texts.add(text);
            }
        }
        String fragment = r.configFragment() == null ? "" : r.configFragment();
        bytes += fragment.getBytes(StandardCharsets.UTF_8).length;
        List<String> badLines = fragment.lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !CONFIG_LINE.matcher(l).matches()).limit(3).toList();
        if (!badLines.isEmpty()) {
            problems.add(new FieldProblem("configFragment", "lines must be CONFIG_X=value, '# CONFIG_X is not set' or "
                    + "comments; not " + badLines.stream().map(l -> "'" + abbreviate(l) + "'").toList()));
        }
        if (bytes > MAX_RECIPE_BYTES) {
            problems.add(new FieldProblem("patches", "the patches and fragment are " + bytes + " bytes; a series may have at most "
                    + MAX_RECIPE_BYTES + " (they travel inline to the agent that builds them)"));
        }
        if (!problems.isEmpty() || r.base() == null) {
            return null;
        }
        try {
            return BuildRecipe.of(r.base(), texts, fragment);
        } catch (IllegalArgumentException e) {
            problems.add(new FieldProblem("base", e.getMessage()));
            return null;
        }
    }

    /** The mail header of a patch: up to the first empty line. */
    private static String header(String text) {
        int end = text.indexOf("\n\n");
        return end < 0 ? text : text.substring(0, end);
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "...";
    }

    public PatchSeriesView get(long id) {
        return view(series.find(id).orElseThrow(() -> new NotFoundException("patch series " + id + " does not exist")));
    }

    public PatchSeriesView.Page list(PatchSeriesState state, int page, int size) {
        List<PatchSeriesView> items = series.list(state, page, size).stream().map(this::view).toList();
        return new PatchSeriesView.Page(items, page, size, series.count(state));
    }

    /** Takes every step whose sweep or bisection has ended. Several replicas may poll: each series is locked by one. */
    @Scheduled(fixedDelayString = "${gapwatch.analysis.poll-interval:1s}")
    public void advanceAll() {
        try {
            tx.executeWithoutResult(s -> series.lockUnfinished().forEach(this::advance));
        } catch (DataAccessException e) {
            log.warn("patch series not advanced this time: {}", e.getMessage());
        }
    }

    private void advance(PatchSeries s) {
        Instant now = clock.now();
        if (s.state() == PatchSeriesState.SWEEPING) {
            Sweep sweep = sweeps.find(s.sweepId());
            if (sweep.state() == SweepState.CANCELLED) {
                series.fail(s.id(), null, "sweep " + sweep.id() + " was cancelled", now);
            } else if (sweep.state() == SweepState.COMPLETED) {
                compareEnds(s, now);
            }
            return;
        }
        Bisection b = bisections.find(s.bisectionId()).orElseThrow();
        if (b.state() == BisectionState.FOUND) {
            int position = b.kernels().indexOf(b.firstBad());
            series.found(s.id(), position, now);
            log.info("patch series {}: the first bad patch is {} of {}", s.id(), position, b.kernels().size() - 1);
        } else if (b.state() == BisectionState.AMBIGUOUS) {
            List<String> positions = b.firstBadCandidates().stream().map(k -> "patch " + b.kernels().indexOf(k)).toList();
            series.ambiguous(s.id(), "the first bad patch is one of " + String.join(", ", positions)
                    + ": the prefixes before the last of them could not be built (bisection " + b.id() + ")", now);
            log.info("patch series {}: the first bad patch is one of {}", s.id(), positions);
        } else if (b.state() == BisectionState.FAILED) {
            series.fail(s.id(), null, "bisection " + b.id() + " failed: " + b.reason(), now);
        }
    }

    /** The sweep ended: compare the full series with the base, and bisect if it regressed. */
    private void compareEnds(PatchSeries s, Instant now) {
        List<String> kernels = releases(s);
        String base = kernels.get(0);
        String full = kernels.get(kernels.size() - 1);
        Map<String, List<Run>> byKernel = new LinkedHashMap<>();
        for (Run run : runService.runsOfSweep(s.sweepId())) {
            byKernel.computeIfAbsent(run.requested().kernelRelease(), k -> new ArrayList<>()).add(run);
        }
        for (String kernel : List.of(base, full)) {
            List<Run> ended = byKernel.getOrDefault(kernel, List.of());
            for (Run run : ended) {
                if (run.verdict() != Verdict.PASS && run.verdict() != Verdict.FAIL) {
                    series.fail(s.id(), null, (kernel.equals(base) ? "the base " : "the full series ") + kernel
                            + ": run " + run.id() + " ended " + run.state() + (run.verdict() == null ? "" : " " + run.verdict())
                            + (run.error() != null ? ": " + run.error() : run.skipReason() != null ? ": " + run.skipReason() : ""), now);
                    return;
                }
            }
            if (ended.size() != RUNS_PER_END) {
                series.fail(s.id(), null, "the sweep has " + ended.size() + " runs of " + kernel + ", not " + RUNS_PER_END, now);
                return;
            }
        }
        List<Run> baseRuns = byKernel.get(base);
        List<Run> fullRuns = byKernel.get(full);
        Comparison c = compare.compare(measurements.samplesOfRuns(baseRuns.stream().map(Run::id).toList()),
                measurements.samplesOfRuns(fullRuns.stream().map(Run::id).toList()), s.variant(), s.gapMs());
        String comparison = describe(c);
        if (c.category() == CompareCategory.INSUFFICIENT_DATA) {
            series.fail(s.id(), comparison, "the comparison of the full series with the base is insufficient data", now);
        } else if (c.category() != CompareCategory.REGRESSION) {
            series.noRegression(s.id(), comparison, now);
            log.info("patch series {}: no regression ({})", s.id(), comparison);
        } else {
            Bisection b = bisections.startOver(kernels, s.variant(), s.gapMs(), fullRuns.get(0).backend(), s.iterations(),
                    new BisectionService.StepRuns(baseRuns.get(0).id(), baseRuns.get(1).id()),
                    new BisectionService.StepRuns(fullRuns.get(0).id(), fullRuns.get(1).id()));
            series.bisecting(s.id(), comparison, b.id());
            log.info("patch series {}: the full series regressed ({}); bisection {}", s.id(), comparison, b.id());
        }
    }

    private static String describe(Comparison c) {
        var test = c.tests().isEmpty() ? null : c.tests().get(0);
        return c.category().id() + String.format(Locale.ROOT, ": median errorNs %.0f (base) -> %.0f (full series)",
                c.base().medianErrorNs(), c.head().medianErrorNs())
                + (test == null ? "" : String.format(Locale.ROOT, ", %s p=%.2g", test.test(), test.pValue()))
                + "; " + c.reason();
    }

    /** The kernels of prefixes k = 0..n, from the stored patches. */
    private List<String> releases(PatchSeries s) {
        BuildRecipe recipe = new BuildRecipe(s.base(), patches.prefix(s.id(), Integer.MAX_VALUE), s.configFragment());
        return IntStream.rangeClosed(0, recipe.patches().size()).mapToObj(k -> recipe.prefix(k).release()).toList();
    }

    private PatchSeriesView view(PatchSeries s) {
        List<PatchRepository.PatchSummary> summaries = patches.summaries(s.id());
        List<String> kernels = releases(s);
        List<PatchSeriesView.PatchView> patchViews = summaries.stream().map(p -> new PatchSeriesView.PatchView(
                p.position(), p.subject(), p.sha256(), p.bytes(), kernels.get(p.position()))).toList();

        Map<Long, String> purposes = new LinkedHashMap<>();
        List<Run> all = new ArrayList<>();
        if (s.sweepId() != null) {
            for (Run run : runService.runsOfSweep(s.sweepId())) {
                purposes.put(run.id(), "sweep " + s.sweepId());
                all.add(run);
            }
        }
        List<PatchSeriesView.StepView> steps = List.of();
        List<PatchSeriesView.PatchView> oneOf = List.of();
        if (s.bisectionId() != null) {
            BisectionView b = bisections.get(s.bisectionId());
            oneOf = b.firstBadCandidates().stream().map(k -> patchViews.get(kernels.indexOf(k) - 1)).toList();
            steps = b.steps().stream().map(st -> new PatchSeriesView.StepView(st.step(), st.role().id(),
                    kernels.indexOf(st.kernel()), st.kernel(), st.verdict() == null ? null : st.verdict().id(),
                    st.detail(), st.runId(), st.verifyRunId())).toList();
            for (BisectionStep st : b.steps()) {
                for (long id : List.of(st.runId(), st.verifyRunId())) {
                    if (purposes.putIfAbsent(id, "bisection " + b.id() + ", step " + st.step()) == null) {
                        runs.find(id).ifPresent(all::add);
                    }
                }
            }
        }
        List<PatchSeriesView.BuildView> builds = new ArrayList<>();
        for (int k = 0; k < kernels.size(); k++) {
            String release = kernels.get(k);
            List<PatchSeriesView.BuildRun> on = all.stream()
                    .filter(run -> release.equals(run.requested().kernelRelease()))
                    .map(run -> new PatchSeriesView.BuildRun(run.id(), purposes.get(run.id()), run.state(), run.verdict(),
                            run.errorKind(), run.error(), run.agentName(), run.backend(), run.progress(), run.build()))
                    .toList();
            builds.add(new PatchSeriesView.BuildView(k, release, on));
        }
        boolean simulated = all.stream().anyMatch(run -> "sim".equals(run.backend()));
        PatchSeriesView.Answer answer = switch (s.state()) {
            case NO_REGRESSION -> new PatchSeriesView.Answer(false, null, null, null, List.of());
            case FOUND -> new PatchSeriesView.Answer(true, s.firstBadPosition(),
                    summaries.get(s.firstBadPosition() - 1).subject(), kernels.get(s.firstBadPosition()), List.of());
            case AMBIGUOUS -> new PatchSeriesView.Answer(true, null, null, null, oneOf);
            default -> null;
        };
        return new PatchSeriesView(s.id(), s.state(), s.base(), s.configFragment(), s.variant(), s.gapMs(),
                s.iterations(), simulated, patchViews, builds, s.sweepId(), s.comparison(), s.bisectionId(), steps,
                answer, s.reason(), s.createdAt(), s.finishedAt());
    }
}
