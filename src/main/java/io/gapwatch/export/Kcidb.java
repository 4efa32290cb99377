package io.gapwatch.export;

import io.gapwatch.cli.Json;
import io.gapwatch.probe.Measurement;
import io.gapwatch.probe.ProbeReport;
import io.gapwatch.probe.TargetInfo;
import org.apache.commons.math3.stat.descriptive.rank.Median;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Finished runs as a KCIDB v5.3 submission (KernelCI's common results database): a checkout and a build per
 * kernel release (gapwatch tests kernels by release, not by git commit, so the git fields stay missing: in
 * KCIDB a missing field means unknown and null is not allowed) and a test per run.
 * <ul>
 *   <li>{@code path}: {@code kselftest.kvm.xen_migration_test.<variant>.gap_<N>ms}</li>
 *   <li>{@code status}: PASS when the verdict is the one the variant expects (the negative control failing
 *   counts), FAIL when not, SKIP, ERROR when the probe broke, MISS when the run never reached the kernel under
 *   test (a lab guest that did not boot); the verdict itself is in {@code misc.verdict}</li>
 *   <li>{@code number}: the median errorNs in ns; {@code environment.misc}: the target; {@code misc}: every
 *   measurement</li>
 * </ul>
 */
public final class Kcidb {
    /** KCIDB's origin: the name of the submitting CI system, part of every id. */
    public static final Pattern ORIGIN = Pattern.compile("[a-z0-9_]+");
    public static final String PATH_PREFIX = "kselftest.kvm.xen_migration_test.";
    private static final int LOG_EXCERPT_MAX = 16384;

    private Kcidb() {
    }

    public static ObjectNode write(String origin, List<ExportedRun> runs) {
        if (!ORIGIN.matcher(origin).matches()) {
            throw new IllegalArgumentException("a KCIDB origin is lowercase letters, digits and _, was '" + origin + "'");
        }
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.putObject("version").put("major", 5).put("minor", 3);
        ArrayNode checkouts = root.putArray("checkouts");
        ArrayNode builds = root.putArray("builds");
        ArrayNode tests = root.putArray("tests");
        Set<String> kernels = new LinkedHashSet<>();
        runs.forEach(r -> kernels.add(r.kernel()));
        for (String kernel : kernels) {
            ObjectNode checkout = checkouts.addObject();
            checkout.put("id", origin + ":checkout:" + kernel);
            checkout.put("origin", origin);
            checkout.put("comment", "kernel release " + kernel);
            checkout.putObject("misc").put("kernel_release", kernel);
            ObjectNode build = builds.addObject();
            build.put("id", origin + ":build:" + kernel);
            build.put("origin", origin);
            build.put("checkout_id", origin + ":checkout:" + kernel);
            build.put("architecture", "x86_64");
            build.put("comment", "kernel release " + kernel + " as packaged (not built by gapwatch)");
            build.putObject("misc").put("kernel_release", kernel);
        }
        for (ExportedRun run : runs) {
            tests.add(test(origin, run));
        }
        return root;
    }

    private static ObjectNode test(String origin, ExportedRun run) {
        ProbeReport r = run.report();
        ObjectNode test = Json.MAPPER.createObjectNode();
        test.put("id", origin + ":run:" + run.id());
        test.put("origin", origin);
        test.put("build_id", origin + ":build:" + run.kernel());
        test.put("path", PATH_PREFIX + r.variant().id() + ".gap_" + r.gapMs() + "ms");
        test.put("status", status(run));
        test.put("comment", "gapwatch run " + run.id() + ": " + r.variant().id() + " at a " + r.gapMs()
                + " ms migration gap, verdict " + r.verdict() + " (expected " + r.expectedVerdict() + ")"
                + (run.simulated() ? "; sim backend: a model, not a kernel result" : ""));
        if (!r.measurements().isEmpty()) {
            double[] errors = r.measurements().stream().mapToDouble(Measurement::errorNs).toArray();
            test.putObject("number").put("value", new Median().evaluate(errors)).put("unit", "ns");
        }
        if (run.startedAt() != null) {
            test.put("start_time", run.startedAt().toString());
        }
        if (run.duration() != null) {
            test.put("duration", run.duration().toNanos() / 1e9);
        }
        ObjectNode environment = test.putObject("environment");
        environment.put("comment", r.target().backend() + " backend on " + run.kernel());
        ObjectNode target = environment.putObject("misc");
        TargetInfo t = r.target();
        target.put("kernel", t.kernelRelease());
        target.put("backend", t.backend());
        target.put("simulated", run.simulated());
        putIfPresent(target, "accelerator", t.accelerator());
        putIfPresent(target, "cpu", t.cpuModel());
        putIfPresent(target, "agent", run.agent());
        String ktap = Ktap.write(r);
        test.put("log_excerpt", ktap.length() <= LOG_EXCERPT_MAX ? ktap : ktap.substring(ktap.length() - LOG_EXCERPT_MAX));
        ObjectNode misc = test.putObject("misc");
        misc.put("run_id", run.id());
        misc.put("variant", r.variant().id());
        misc.put("gap_ms", r.gapMs());
        misc.put("iterations", r.iterations());
        misc.put("strict", r.strict());
        misc.put("verdict", r.verdict().name());
        misc.put("expected_verdict", r.expectedVerdict().name());
        if (r.asExpected() != null) {
            misc.put("as_expected", r.asExpected());
        }
        putIfPresent(misc, "clock_path", r.clockPath() == null ? null : r.clockPath().id());
        putIfPresent(misc, "skip_reason", r.skipReason());
        putIfPresent(misc, "error", r.error());
        ArrayNode measurements = misc.putArray("measurements");
        for (Measurement m : r.measurements()) {
            ObjectNode n = measurements.addObject();
            n.put("iteration", m.iteration());
            n.put("saved_runnable_ns", m.savedRunnableNs());
            n.put("restored_runnable_ns", m.restoredRunnableNs());
            n.put("steal_delta_ns", m.stealDeltaNs());
            n.put("guest_area_runnable_ns", m.guestAreaRunnableNs());
            n.put("gap_low_ns", m.gapLowNs());
            n.put("gap_high_ns", m.gapHighNs());
            if (m.hostRunDelayNs() != null) {
                n.put("host_run_delay_ns", m.hostRunDelayNs());
            }
            n.put("error_ns", m.errorNs());
            n.put("within_bracket", m.withinBracket());
            n.put("pass", m.pass());
            n.put("create_ns", m.createNs());
            n.put("save_ns", m.saveNs());
            n.put("restore_ns", m.restoreNs());
            n.put("run_ns", m.runNs());
        }
        return test;
    }

    static String status(ExportedRun run) {
        return switch (run.verdict()) {
            case SKIP -> "SKIP";
            case ERROR -> run.missed() ? "MISS" : "ERROR";
            case PASS, FAIL -> run.asExpected() ? "PASS" : "FAIL";
        };
    }

    private static void putIfPresent(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }
}
