package io.gapwatch.server.sweeps;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.gapwatch.probe.Variant;
import io.gapwatch.probe.Verdict;
import io.gapwatch.probe.sim.SimKernel;
import io.gapwatch.server.analysis.Sample;
import io.gapwatch.server.analysis.SeriesStatistics;
import io.gapwatch.server.runs.CellSample;
import io.gapwatch.server.runs.RunCount;
import io.gapwatch.server.runs.RunState;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A sweep as the API shows it: progress (runs by state and verdict) and, when one sweep is asked for, the outcome:
 * a kernel x variant (x gap) grid of verdicts and accuracy. {@code simulated} is true when any of its kernels is a sim model's.
 */
public record SweepView(
        long id,
        SweepState state,
        boolean simulated,
        Matrix matrix,
        List<String> kernels,
        List<UnservedCell> unserved,
        Baseline baseline,
        Long scheduleId,
        Instant dueAt,
        Progress progress,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<Cell> outcome,
        Instant createdAt,
        Instant finishedAt) {

    /** How many runs the sweep has, by state and, for those that ended with one, by verdict. */
    public record Progress(long runs, Map<RunState, Long> byState, Map<Verdict, Long> byVerdict) {
    }

    /**
     * One cell of the outcome grid: the runs of one kernel, variant and gap. {@code verdict} is the cell's once
     * all its runs ended: FAIL if any failed, else ERROR if any broke, else PASS if any passed, else SKIP.
     * {@code accuracy} is computed from every measurement of the cell's runs so far; null before the first.
     */
    public record Cell(String kernel, Variant variant, int gapMs, boolean simulated, long runs, long finished,
                       Verdict verdict, Map<Verdict, Long> verdicts, Verdict expectedVerdict, Boolean asExpected,
                       SeriesStatistics accuracy) {
    }

    /** @param samples the sweep's measurements, for the outcome grid; null for a summary (lists) */
    static SweepView of(Sweep s, List<RunCount> counts, List<CellSample> samples) {
        Map<RunState, Long> byState = new EnumMap<>(RunState.class);
        Map<Verdict, Long> byVerdict = new EnumMap<>(Verdict.class);
        long total = 0;
        for (RunCount c : counts) {
            total += c.runs();
            byState.merge(c.state(), c.runs(), Long::sum);
            if (c.verdict() != null) {
                byVerdict.merge(c.verdict(), c.runs(), Long::sum);
            }
        }
        boolean simulated = s.kernels().stream().anyMatch(k -> k.startsWith(SimKernel.RELEASE_PREFIX))
                || counts.stream().anyMatch(c -> "sim".equals(c.backend()));
        return new SweepView(s.id(), s.state(), simulated, s.matrix(), s.kernels(), s.unserved(), s.baseline(),
                s.scheduleId(), s.dueAt(), new Progress(total, byState, byVerdict),
                samples == null ? null : outcome(s, counts, samples), s.createdAt(), s.finishedAt());
    }

    private record Key(String kernel, Variant variant, int gapMs) {
    }

    private static List<Cell> outcome(Sweep s, List<RunCount> counts, List<CellSample> samples) {
        Map<Key, List<RunCount>> countsByCell = new HashMap<>();
        for (RunCount c : counts) {
            countsByCell.computeIfAbsent(new Key(c.kernel(), c.variant(), c.gapMs()), k -> new ArrayList<>()).add(c);
        }
        Map<Key, List<Sample>> samplesByCell = new HashMap<>();
        for (CellSample m : samples) {
            samplesByCell.computeIfAbsent(new Key(m.kernel(), m.variant(), m.gapMs()), k -> new ArrayList<>())
                    .add(new Sample(m.errorNs(), m.pass(), m.withinBracket()));
        }
        List<Cell> cells = new ArrayList<>();
        for (String kernel : s.kernels()) {
            for (Variant variant : s.matrix().variants()) {
                for (int gap : s.matrix().gapsMs()) {
                    Key key = new Key(kernel, variant, gap);
                    cells.add(cell(key, countsByCell.getOrDefault(key, List.of()), samplesByCell.getOrDefault(key, List.of())));
                }
            }
        }
        return cells;
    }

    private static Cell cell(Key key, List<RunCount> counts, List<Sample> samples) {
        long runs = 0;
        long finished = 0;
        boolean simulated = key.kernel().startsWith(SimKernel.RELEASE_PREFIX);
        Map<Verdict, Long> verdicts = new EnumMap<>(Verdict.class);
        for (RunCount c : counts) {
            runs += c.runs();
            finished += c.state().finished() ? c.runs() : 0;
            simulated |= "sim".equals(c.backend());
            if (c.verdict() != null) {
                verdicts.merge(c.verdict(), c.runs(), Long::sum);
            }
        }
        Verdict verdict = finished < runs ? null
                : verdicts.containsKey(Verdict.FAIL) ? Verdict.FAIL
                : verdicts.containsKey(Verdict.ERROR) ? Verdict.ERROR
                : verdicts.containsKey(Verdict.PASS) ? Verdict.PASS
                : verdicts.containsKey(Verdict.SKIP) ? Verdict.SKIP : null;
        Verdict expected = key.variant().expectedVerdict();
        Boolean asExpected = verdict == Verdict.PASS || verdict == Verdict.FAIL ? verdict == expected : null;
        return new Cell(key.kernel(), key.variant(), key.gapMs(), simulated, runs, finished, verdict, verdicts, expected, asExpected,
                samples.isEmpty() ? null : SeriesStatistics.of(samples));
    }
}
