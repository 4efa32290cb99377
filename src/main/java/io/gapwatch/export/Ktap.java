package io.gapwatch.export;

import io.gapwatch.probe.Measurement;
import io.gapwatch.probe.ProbeReport;
import io.gapwatch.probe.Verdict;
import io.gapwatch.probe.VerdictRules;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A run of probes as KTAP (kselftest's output format): one test point per iteration, {@code ok} exactly when
 * the iteration counts as passed for the run's verdict (in strict mode that includes its bracket). A sweep is
 * nested subtests: one per kernel, in it one per run, in each run its iterations.
 */
public final class Ktap {
    private Ktap() {
    }

    public static String write(ProbeReport report) {
        StringBuilder out = new StringBuilder("KTAP version 1\n");
        out.append("# gapwatch migration-gap probe: variant=").append(report.variant())
                .append(" gapMs=").append(report.gapMs())
                .append(" iterations=").append(report.iterations())
                .append(report.strict() ? " strict" : "").append('\n');
        out.append("# target: backend=").append(report.target().backend())
                .append(" kernel=").append(report.target().kernelRelease())
                .append(report.target().accelerator() == null ? "" : " accelerator=" + report.target().accelerator())
                .append("sim".equals(report.target().backend()) ? " (simulated: a model, not a kernel result)" : "")
                .append('\n');
        if (report.clockPath() != null) {
            out.append("# clock path: ").append(report.clockPath()).append('\n');
        }
        if (report.verdict() == Verdict.SKIP) {
            out.append("1..1\n");
            out.append("ok 1 xen_migration_gap # SKIP ").append(oneLine(report.skipReason())).append('\n');
            return out.toString();
        }
        out.append("1..").append(report.iterations()).append('\n');
        for (Measurement m : report.measurements()) {
            out.append(String.format(Locale.ROOT,
                    "# iteration %d: stealDelta=%s ms bracket=[%s, %s] ms hostRunDelay=%s error=%s ms withinBracket=%s%n",
                    m.iteration(), ms(m.stealDeltaNs()), ms(m.gapLowNs()), ms(m.gapHighNs()),
                    m.hostRunDelayNs() == null ? "unavailable (the bracket allows no host preemption)"
                            : ms(m.hostRunDelayNs()) + " ms",
                    ms(m.errorNs()), m.withinBracket()));
            if (!m.guestAreaAgrees()) {
                out.append(String.format(Locale.ROOT,
                        "# iteration %d: guest runstate area says time_runnable=%s ms, the ioctl %s ms: they disagree%n",
                        m.iteration(), ms(m.guestAreaRunnableNs()), ms(m.restoredRunnableNs())));
            }
            out.append(VerdictRules.iterationPasses(m, report.strict()) ? "ok " : "not ok ").append(m.iteration())
                    .append(" iteration_").append(m.iteration()).append('\n');
        }
        if (report.verdict() == Verdict.ERROR) {
            int next = report.measurements().size() + 1;
            // The first line says what broke; the rest (a lab run's serial console tail) follows as diagnostics.
            List<String> lines = report.error() == null ? List.of("") : report.error().lines().toList();
            out.append("not ok ").append(next).append(" iteration_").append(next)
                    .append(" # ERROR ").append(lines.get(0)).append('\n');
            lines.stream().skip(1).forEach(l -> out.append("# ").append(l).append('\n'));
        } else if (report.verdict() == Verdict.FAIL && report.error() != null) {
            // the kernel refused to restore the next iteration: that iteration failed, and the run ended there
            int next = report.measurements().size() + 1;
            out.append("# iteration ").append(next).append(": ").append(oneLine(report.error())).append('\n');
            out.append("not ok ").append(next).append(" iteration_").append(next).append('\n');
        }
        out.append("# verdict ").append(report.verdict())
                .append(" (expected ").append(report.expectedVerdict())
                .append(report.asExpected() == null ? "" : report.asExpected() ? ", as expected" : ", NOT as expected")
                .append(")\n");
        return out.toString();
    }

    /**
     * A sweep's finished runs as nested KTAP: kernel, run, iteration. A run's result line is {@code ok} when its
     * verdict is the one its variant expects (the negative control failing counts), SKIP and ERROR as directives.
     */
    public static String writeSweep(long sweepId, List<ExportedRun> runs) {
        Map<String, List<ExportedRun>> byKernel = new LinkedHashMap<>();
        runs.forEach(r -> byKernel.computeIfAbsent(r.kernel(), k -> new java.util.ArrayList<>()).add(r));
        StringBuilder out = new StringBuilder("KTAP version 1\n");
        out.append("# gapwatch sweep ").append(sweepId).append(": ").append(runs.size()).append(" finished runs on ")
                .append(byKernel.size()).append(byKernel.size() == 1 ? " kernel" : " kernels")
                .append(runs.stream().anyMatch(ExportedRun::simulated) ? " (sim backend: a model, not a kernel result)" : "")
                .append('\n');
        out.append("1..").append(byKernel.size()).append('\n');
        int k = 0;
        for (Map.Entry<String, List<ExportedRun>> kernel : byKernel.entrySet()) {
            StringBuilder sub = new StringBuilder("KTAP version 1\n# Subtest: ").append(kernel.getKey()).append('\n');
            sub.append("1..").append(kernel.getValue().size()).append('\n');
            boolean allOk = true;
            int n = 0;
            for (ExportedRun run : kernel.getValue()) {
                String name = run.testName() + ".run_" + run.id();
                String body = write(run.report()).replaceFirst("^KTAP version 1\n", "KTAP version 1\n# Subtest: " + name + "\n");
                sub.append(indent(body));
                String result = resultLine(++n, name, run);
                allOk &= result.startsWith("ok");
                sub.append(result).append('\n');
            }
            out.append(indent(sub.toString()));
            out.append(allOk ? "ok " : "not ok ").append(++k).append(' ').append(kernel.getKey()).append('\n');
        }
        return out.toString();
    }

    private static String resultLine(int n, String name, ExportedRun run) {
        ProbeReport r = run.report();
        return switch (r.verdict()) {
            case SKIP -> "ok " + n + " " + name + " # SKIP " + oneLine(r.skipReason());
            case ERROR -> "not ok " + n + " " + name + " # ERROR "
                    + (r.error() == null ? "" : r.error().lines().findFirst().orElse(""));
            default -> (run.asExpected() ? "ok " : "not ok ") + n + " " + name;
        };
    }

    private static String indent(String lines) {
        return lines.lines().map(l -> "    " + l + "\n").reduce("", String::concat);
    }

    private static String ms(long ns) {
        return String.format(Locale.ROOT, "%.3f", ns / 1e6);
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ');
    }
}
